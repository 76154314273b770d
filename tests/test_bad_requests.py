"""What a first probe from outside found (issue 11, item 6), each now bad input in the error shape: JSON
nested 10,000 deep, bodies over the limits (refused unread, 413), too many form fields, and a fractional
number where an id is expected."""

import pytest
from django.test import Client

SHAPE = {"code", "message", "fields"}
pytestmark = pytest.mark.django_db


def test_json_nested_ten_thousand_deep_is_bad_input_even_anonymously(api):
    body = "[" * 10_000 + "]" * 10_000
    response = api.post("/api/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == SHAPE


def test_a_json_body_over_one_megabyte_is_refused_unread(api, settings):
    body = '{"username": "' + "x" * (settings.BODY_MAX_BYTES + 10) + '"}'
    response = api.post("/api/auth/token/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(client, settings):
    """The Content-Length says it all: the body is never read (here there is none to read)."""
    response = client.generic(
        "POST",
        "/api/filings/1/attachments/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.UPLOAD_MAX_BYTES * 10),
    )
    assert response.status_code == 413 and set(response.json()) == SHAPE
    page = Client().generic(
        "POST",
        "/filings/1/attachments/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.UPLOAD_MAX_BYTES * 10),
    )
    assert page.status_code == 413 and 'data-testid="too-large"' in page.content.decode()


def test_too_many_form_fields_answer_in_the_error_shape(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=1" for i in range(50))
    response = api.post("/api/auth/token/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert set(response.json()) == SHAPE


@pytest.mark.parametrize("value", [1.5, 1.0, "1.0", True, "1e3", -1, 99999999999999999999])
def test_a_fraction_or_a_flag_is_not_an_id(api_as, courts, value):
    from tests.conftest import make_staff

    judge = make_staff("fenhu.judge", "wujiang", ["judge"], "fenhu")
    response = api_as(judge).post(
        "/api/mediations/",
        {"lead_tribunal": "fenhu", "invited_tribunals": ["xitang"], "consent": True, "filing": value},
        format="json",
    )
    assert response.status_code == 400
    assert "filing" in response.json()["fields"]


# Found by the API fuzzing's slow group (tests/test_api_fuzz.py), each a 500 before.


def test_a_sort_order_that_names_no_key_is_no_order(api_as, qingpu_clerk):
    response = api_as(qingpu_clerk).get("/api/cases/?ordering=,&registered_to=")
    assert response.status_code == 200


def test_a_code_with_a_nul_byte_is_no_such_tribunal(api_as, courts):
    """PostgreSQL refuses a NUL byte in any text: the lookup of a tribunal by such a code failed (JSON)."""
    from tests.conftest import make_staff

    judge = make_staff("fenhu.judge", "wujiang", ["judge"], "fenhu")
    response = api_as(judge).post(
        "/api/mediations/",
        {"lead_tribunal": "fenhu", "invited_tribunals": ["xi\x00tang"], "consent": True},
        format="json",
    )
    assert response.status_code == 400
    assert "invited_tribunals.0" in response.json()["fields"]


def test_a_nul_byte_in_a_form_field_or_a_query_parameter_is_bad_input(api_as, client, courts):
    from tests.conftest import make_staff

    judge = make_staff("fenhu.judge", "wujiang", ["judge"], "fenhu")
    form = api_as(judge).post(
        "/api/mediations/",
        "lead_tribunal=fenhu&invited_tribunals=xi%00tang&consent=true",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 400
    assert set(form.json()) == SHAPE and "invited_tribunals" in form.json()["fields"]
    query = api_as(judge).get("/api/mediations/?state=pro%00posed")
    assert query.status_code == 400 and "state" in query.json()["fields"]
    client.force_login(judge)
    page = client.get("/mediations/?court=wu%00jiang")
    assert page.status_code == 400 and 'data-testid="bad-request"' in page.content.decode()


def test_a_post_to_a_page_that_only_shows_something_is_a_405(client, wujiang_clerk, courts):
    """A list or a record's page takes GET only: a POST to it used to answer the page again, 200."""
    from tests.cases.conftest import submit

    filing, _code = submit(wujiang_clerk, courts)
    client.force_login(wujiang_clerk)
    for url in (
        "/filings/",
        f"/filings/{filing.pk}/",
        f"/filings/{filing.pk}/receipt/",
        "/cases/",
        "/requests/",
        "/mediations/",
        "/mediations/invitations/",
        "/mediations/calendar/",
        "/confirmations/",
    ):
        assert client.post(url, {}).status_code == 405, url
        assert client.get(url).status_code in (200, 302), url
