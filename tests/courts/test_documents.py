"""Printed documents on the ground floor: dates in Chinese numerals, verification codes, and /verify/ and
its API, which confirm a genuine copy (its kind, number, court and date only) and answer every other code,
unknown, altered, malformed or over-long, with the same not-found."""

import datetime as dt
import re

import pytest
from django.test import override_settings

from courts.documents import codes
from courts.documents.dates import chinese_date
from courts.models import IssuedDocument
from tests.cases.conftest import submit
from tests.documents import verification_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "printed"),
    [
        (dt.date(2026, 12, 1), "二〇二六年十二月一日"),
        (dt.date(2019, 9, 11), "二〇一九年九月十一日"),
        (dt.date(2020, 10, 10), "二〇二〇年十月十日"),
        (dt.date(2026, 2, 20), "二〇二六年二月二十日"),
        (dt.date(2027, 1, 31), "二〇二七年一月三十一日"),
        (dt.date(2000, 11, 22), "二〇〇〇年十一月二十二日"),
    ],
)
def test_dates_print_in_chinese_numerals_with_ling_as_a_circle(day, printed):
    assert chinese_date(day) == printed
    assert "零" not in chinese_date(day)


def test_codes_are_sixteen_characters_without_look_alikes():
    drawn = {codes.new_code() for _ in range(200)}
    assert len(drawn) == 200
    for code in drawn:
        assert len(code) == 16 and not set(code) & set("01OIL")
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", codes.printed(code))


def test_codes_are_read_case_insensitively_with_spaces_and_dashes_ignored():
    code = codes.new_code()
    assert codes.normalise(f" {codes.printed(code).lower()} ") == code
    assert codes.normalise(" ".join(code)) == code
    assert codes.normalise(code[:-1]) is None
    assert codes.normalise(code[:-1] + "0") is None  # not in the alphabet
    assert codes.normalise("A" * 10_000) is None


@pytest.fixture
def issued(wujiang_clerk, qingpu_clerk, courts, client):
    """A receipt printed at Wujiang's window: its PDF, its printed code and the filing."""
    filing, _code = submit(wujiang_clerk, courts)
    client.force_login(wujiang_clerk)
    response = client.get(f"/api/filings/{filing.pk}/documents/receipt.pdf")
    assert response.status_code == 200
    return filing, verification_code(response.content)


def test_each_print_is_recorded_with_the_hash_of_its_code_only(issued, wujiang_clerk):
    filing, printed = issued
    document = IssuedDocument.objects.get()
    assert (document.kind, document.number, document.court.code) == (
        "receipt",
        filing.receipt_number,
        "wujiang",
    )
    assert (document.subject_type, document.subject_id, document.issued_by) == (
        "cases.filing",
        filing.pk,
        wujiang_clerk,
    )
    code = codes.normalise(printed)
    stored = [str(value) for value in IssuedDocument.objects.values_list(flat=False).get()]
    assert code not in "".join(stored) and document.code_hash == codes.code_hash(code)


def test_a_genuine_code_verifies_with_kind_number_court_and_date_only(issued, api):
    filing, printed = issued
    for typed in (printed, printed.lower(), printed.replace("-", " "), f"  {printed.replace('-', '')}  "):
        response = api.get(f"/api/public/verify/{typed}/")
        assert response.status_code == 200, typed
        assert response.json() == {
            "kind": "receipt",
            "title": "诉讼材料收据",
            "number": filing.receipt_number,
            "court": "wujiang",
            "court_name": "江苏省苏州市吴江区人民法院",
            "dated": filing.submitted_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat(),
        }
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def _altered(code: str) -> str:
    plain = code.replace("-", "")
    swap = "2" if plain[5] != "2" else "3"
    return plain[:5] + swap + plain[6:]


def test_forged_altered_unknown_and_malformed_codes_get_the_same_not_found(issued, api):
    _filing, printed = issued
    answers = []
    for typed in (_altered(printed), codes.new_code(), "!!!", "0" * 16, "A" * 3000, "%00", "中文"):
        response = api.get(f"/api/public/verify/{typed}/")
        answers.append((response.status_code, response.content))
    assert {status for status, _body in answers} == {404}
    assert len({body for _status, body in answers}) == 1
    assert b"not_found" in answers[0][1]


def test_the_verify_page_shows_the_answer_large_and_prefills_the_code(issued, client):
    filing, printed = issued
    client.logout()
    page = client.get("/verify/", {"code": printed.lower()})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="verify-found"' in html
    assert filing.receipt_number in html and "诉讼材料收据" in html and "江苏省苏州市吴江区人民法院" in html
    assert f'value="{printed.lower()}"' in html
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert 'data-testid="verify-found"' not in client.get("/verify/").content.decode()


def test_the_verify_page_answers_every_wrong_code_alike(issued, client):
    _filing, printed = issued
    sections = set()
    for typed in (_altered(printed), codes.new_code(), "nonsense", "X" * 500):
        page = client.get("/verify/", {"code": typed})
        assert page.status_code == 200
        html = page.content.decode()
        sections.add(re.search(r'<section class="card verify-answer".*?</section>', html, re.S)[0])
    assert len(sections) == 1 and "verify-not-found" in sections.pop()


@override_settings(DOCUMENT_VERIFY_FAILURE_LIMIT=3)
def test_unknown_codes_are_throttled_per_address_and_a_genuine_one_is_then_refused_too(issued, api, client):
    _filing, printed = issued
    statuses = [api.get(f"/api/public/verify/{codes.new_code()}/").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    refused = api.get(f"/api/public/verify/{printed}/")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert client.get("/verify/", {"code": printed}).status_code == 429
    other = api.get(f"/api/public/verify/{printed}/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
