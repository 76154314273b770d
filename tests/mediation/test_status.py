"""The parties follow their mediation at /status/ with its number and the query code they were given:
procedural status only (where it stands, the next session's time and tribunal), no names, no terms."""

import re

import pytest

from courts.models import Tribunal
from mediation.models import MediationSession
from tests.cases.conftest import deliver_pending
from tests.mediation.conftest import agree, next_working_morning, open_headline, schedule

pytestmark = pytest.mark.django_db


def look_up(client, number: str, code: str) -> str:
    response = client.post("/status/", {"number": number, "code": code})
    assert response.status_code == 200
    return response.content.decode()


def test_a_party_sees_the_next_session_and_nothing_about_anyone(client, fenhu_judge, xitang_judge):
    from mediation.services.mediations import invitation_accept

    mediation, code = open_headline(fenhu_judge)
    page = look_up(client, mediation.number, code)
    assert 'data-testid="status"' in page
    assert mediation.number in page and "沈建国" not in page
    deliver_pending()
    invitation_accept(invitation_id=mediation.invitations.get().pk, actor=xitang_judge)
    deliver_pending()
    start = next_working_morning(days=3)
    schedule(
        mediation, fenhu_judge, start=start, tribunal=Tribunal.objects.get(code="fenhu"), room="第三调解室"
    )
    page = look_up(client, mediation.number, code.lower())
    assert start.strftime("%Y-%m-%d %H:%M") in page
    assert "汾湖人民法庭" in page
    for secret in (
        "沈建国",
        "嘉善县某纺织品有限公司",
        "13812345678",
        "第三调解室",
        "fenhu.judge",
        "xitang.judge",
    ):
        assert secret not in page


def test_a_wrong_code_finds_nothing(client, fenhu_judge):
    mediation, code = open_headline(fenhu_judge)
    page = look_up(client, mediation.number, "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA")
    assert 'data-testid="refused"' in page
    assert 'data-testid="status"' not in page


def test_the_terms_of_an_agreement_are_not_shown(client, fenhu_judge, xitang_judge):
    from mediation.services.mediations import invitation_accept

    mediation, code = open_headline(fenhu_judge)
    deliver_pending()
    invitation_accept(invitation_id=mediation.invitations.get().pk, actor=xitang_judge)
    deliver_pending()
    schedule(mediation, fenhu_judge)
    agree(mediation, fenhu_judge)
    MediationSession.objects.update(state="held")
    page = look_up(client, mediation.number, code)
    assert "被告于2027年1月31日前支付货款" not in page
    assert "1280000" not in page and "1,280,000" not in page


# --- Issue 9: the whole matter, the parties' code and the lock -------------------------------------------


def ask(client, number: str, code: str):
    return client.post(
        "/api/public/status/", {"number": number, "code": code}, content_type="application/json"
    )


def test_a_case_from_another_court_shows_the_mediation_session_coming_at_xitang(
    client, wujiang_clerk, qingpu_clerk, courts, zhujiajiao_judge, xitang_judge, django_assert_max_num_queries
):
    """The headline: filed at Wujiang, registered at Qingpu, mediated with Xitang; the litigant asks with the
    receipt from Wujiang and sees the session to come at the Xitang tribunal."""
    from cases.services.filings import filing_register
    from mediation.services.mediations import Origin, invitation_accept, mediation_open
    from tests.cases.conftest import submit
    from tests.mediation.conftest import tribunal

    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    case = filing_register(filing_id=filing.pk, actor=qingpu_clerk)
    mediation, _mediation_code = mediation_open(
        actor=zhujiajiao_judge,
        lead_tribunal=tribunal("zhujiajiao"),
        invited_tribunals=[tribunal("xitang")],
        origin=Origin(case_id=case.pk),
        consent=True,
    )
    deliver_pending()
    invitation_accept(invitation_id=mediation.invitations.get().pk, actor=xitang_judge)
    deliver_pending()
    start = next_working_morning(days=5)
    schedule(mediation, zhujiajiao_judge, start=start, tribunal=tribunal("xitang"), room="第二调解室")
    with django_assert_max_num_queries(4):  # finder, log row, the matter widened to its mediation, events
        body = ask(client, filing.receipt_number, code).json()
    assert body["case_number"] == case.number
    assert [item["place"] for item in body["upcoming"]] == ["西塘人民法庭"]
    assert body["upcoming"][0]["court"] == "浙江省嘉善县人民法院"
    assert body["upcoming"][0]["at"].startswith(start.strftime("%Y-%m-%dT%H:%M"))
    assert "西塘人民法庭" in body["next_step"] and start.strftime("%Y-%m-%d %H:%M") in body["next_step"]
    labels = [milestone["label"] for milestone in body["milestones"]]
    assert labels[:3] == ["窗口收到材料", "管辖法院收到材料", "已立案"]
    assert "调解已发起" in labels and "各法庭已接受调解，开始计算30日调解期" in labels
    assert "第二调解室" not in str(body) and "zhujiajiao.judge" not in str(body)


def test_the_lead_tribunal_issues_a_new_code_and_the_old_one_stops(client, fenhu_judge):
    from mediation.services.mediations import mediation_reissue_query_code

    mediation, old_code = open_headline(fenhu_judge)
    _mediation, new_code = mediation_reissue_query_code(mediation_id=mediation.pk, actor=fenhu_judge)
    assert ask(client, mediation.number, old_code).status_code == 404
    assert ask(client, mediation.number, new_code).json()["kind"] == "mediation"
    from courts.models import Event

    event = Event.objects.for_subject(mediation).get(action="mediation.reissue_query_code")
    assert event.actor == fenhu_judge and new_code not in str(event.payload)


def test_the_page_shows_the_lock_and_the_judge_lifts_it(client, fenhu_judge, settings):
    from courts.models import Event

    settings.STATUS_LOOKUP_FAILURE_LIMIT = 100
    mediation, code = open_headline(fenhu_judge)
    for _ in range(6):
        ask(client, mediation.number, "WRONGCDE")
    assert ask(client, mediation.number, code).status_code == 429
    client.force_login(fenhu_judge)
    page = client.get(f"/mediations/{mediation.pk}/").content.decode()
    assert 'data-testid="lookup-lock"' in page and 'data-testid="reissue-code"' in page
    client.post(f"/mediations/{mediation.pk}/lift-lock/")
    assert Event.objects.for_subject(mediation).filter(action="mediation.lift_lookup_lock").exists()
    assert ask(client, mediation.number, code).status_code == 200  # unlocked
    page = client.post(f"/mediations/{mediation.pk}/reissue-code/", follow=True).content.decode()
    new_code = re.search(r'data-testid="query-code">([A-Z0-9]+)<', page).group(1)
    assert 'data-testid="reissue-code"' not in page  # not offered while the new code is on screen
    client.logout()
    assert ask(client, mediation.number, code).status_code == 404  # the old code is gone
    assert ask(client, mediation.number, new_code).status_code == 200
    assert ask(client, mediation.number, new_code).status_code == 200  # shown once, but it keeps working


def test_an_invited_tribunal_may_not_reissue_the_code(client, fenhu_judge, xitang_judge):
    from courts.errors import ActionForbidden
    from mediation.services.mediations import mediation_reissue_query_code

    mediation, _code = open_headline(fenhu_judge)
    deliver_pending()
    with pytest.raises(ActionForbidden):
        mediation_reissue_query_code(mediation_id=mediation.pk, actor=xitang_judge)


@pytest.fixture
def failed_and_refiled(qingpu_window, wujiang_filing, fenhu_judge, xitang_judge, courts):
    """Filed at Qingpu for Wujiang, diverted to mediation at Fenhu, failed, and sent on as a new filing: the
    litigant holds the first receipt's code, the mediation's code covers the new filing."""
    from cases.services.filings import filing_divert_to_mediation
    from mediation.services.mediations import (
        Origin,
        invitation_accept,
        mediation_convert_to_filing,
        mediation_fail,
        mediation_open,
    )
    from tests.cases.conftest import submit
    from tests.mediation.conftest import tribunal

    filing, filing_code = submit(qingpu_window, courts, jurisdiction_court="wujiang")
    deliver_pending()
    filing_divert_to_mediation(filing_id=filing.pk, actor=wujiang_filing)
    deliver_pending()
    mediation, mediation_code = mediation_open(
        actor=fenhu_judge,
        lead_tribunal=tribunal("fenhu"),
        invited_tribunals=[tribunal("xitang")],
        origin=Origin(filing_id=filing.pk),
        consent=True,
    )
    deliver_pending()
    invitation_accept(invitation_id=mediation.invitations.get().pk, actor=xitang_judge)
    deliver_pending()
    mediation_fail(mediation_id=mediation.pk, actor=fenhu_judge, reason="被告拒绝调解")
    refiled = mediation_convert_to_filing(mediation_id=mediation.pk, actor=fenhu_judge)
    deliver_pending()
    return filing, filing_code, mediation, mediation_code, refiled


def test_the_first_receipt_follows_the_matter_into_the_filing_made_when_mediation_failed(
    client, failed_and_refiled
):
    filing, filing_code, _mediation, _code, refiled = failed_and_refiled
    labels = [
        milestone["label"]
        for milestone in ask(client, filing.receipt_number, filing_code).json()["milestones"]
    ]
    assert "转入诉前调解" in labels and "调解未达成协议" in labels and "纠纷已转为立案申请" in labels
    # The new filing's own events are the matter's too: it was received by the court with jurisdiction.
    assert labels.count("窗口收到材料") + labels.count("管辖法院收到材料") >= 3
    assert "被告拒绝调解" not in str(labels)
    del refiled


def test_a_new_mediation_code_stops_the_old_one_on_the_filing_that_shares_it(
    client, failed_and_refiled, fenhu_judge
):
    from mediation.services.mediations import mediation_reissue_query_code

    _filing, _filing_code, mediation, old_code, refiled = failed_and_refiled
    assert ask(client, refiled.receipt_number, old_code).status_code == 200  # the litigant kept the code
    _mediation, new_code = mediation_reissue_query_code(mediation_id=mediation.pk, actor=fenhu_judge)
    for number in (mediation.number, refiled.receipt_number):
        assert ask(client, number, old_code).status_code == 404, number
        assert ask(client, number, new_code).status_code == 200, number
