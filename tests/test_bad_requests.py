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
