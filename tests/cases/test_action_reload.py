"""A failed action renders the record's page at the action's URL; reloading it (a GET there) goes back to the
record's page instead of a bare 405 (issue 14, item 4)."""

import pytest

from tests.cases.conftest import deliver_pending

pytestmark = pytest.mark.django_db


def test_reloading_a_filing_action_goes_back_to_the_filing(client, received, qingpu_clerk):
    client.force_login(qingpu_clerk)
    refused = client.post(f"/filings/{received.pk}/refuse/", {"reason": ""})
    assert refused.status_code == 400  # the filing's page again, with the error on the reason
    for path in ("refuse", "register", "attachments", "reissue-code"):
        response = client.get(f"/filings/{received.pk}/{path}/")
        assert response.status_code == 302 and response.url == f"/filings/{received.pk}/", path
    assert client.put(f"/filings/{received.pk}/refuse/").status_code == 405


def test_reloading_a_request_action_goes_back_to_the_request(
    client, qingpu_case, qingpu_clerk, jiashan_officer, courts
):
    from cases.services.service_requests import DocumentInput, service_request_create

    request = service_request_create(
        actor=make_requester(courts),
        case=qingpu_case,
        entrusted_court=courts["jiashan"],
        recipient=qingpu_case.parties.get(role="defendant"),
        address="浙江省嘉善县西塘镇",
        method="direct",
        letter_number="",
        documents=[DocumentInput(name="起诉状副本", copies=1)],
    )
    deliver_pending()
    client.force_login(jiashan_officer)
    for path in ("report-attempt", "accept", "reveal", "attachments"):
        response = client.get(f"/requests/service/{request.pk}/{path}/")
        assert response.status_code == 302 and response.url == f"/requests/service/{request.pk}/", path


def test_reloading_a_reveal_shows_the_record_masked(client, received, qingpu_clerk):
    client.force_login(qingpu_clerk)
    party = received.parties.first()
    assert client.post(f"/parties/{party.pk}/reveal/").status_code == 200
    response = client.get(f"/parties/{party.pk}/reveal/")
    assert response.status_code == 302 and response.url == f"/filings/{received.pk}/"


def make_requester(courts):
    from tests.conftest import make_staff

    return make_staff("qingpu.judge", "qingpu", ["judge"])
