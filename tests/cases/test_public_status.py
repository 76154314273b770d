"""One public status across the three courts (issue 9): `POST /api/public/status/` and the status page, the
milestones that follow a matter from filing to mediation, what is never shown, equal refusals, the lock on a
number, the log, and the query codes' keyed hash."""

import datetime as dt
import re
import time

import pytest
from django.contrib.auth.hashers import make_password

from cases.models import Filing, ServiceRequest, StatusLookup
from cases.services import filings as svc
from cases.services import requests as common
from cases.services.service_requests import (
    AttemptInput,
    DocumentInput,
    service_request_create,
    service_request_report_attempt,
)
from cases.status import drain_lookup_log, public_event
from courts import query_codes
from courts.legal_calendar import COURT_TZ
from courts.models import Event
from tests.cases.conftest import DEFENDANT_USCC, PLAINTIFF_ID, deliver_pending, submit
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

API = "/api/public/status/"


def ask(client, number, code):
    return client.post(API, {"number": number, "code": code}, content_type="application/json")


def serve_at_jiashan(case, requester, courts):
    officer = make_staff("jiashan.officer", "jiashan", ["officer"])
    request = service_request_create(
        actor=requester,
        case=case,
        entrusted_court=courts["jiashan"],
        recipient=case.parties.get(role="defendant"),
        address="浙江省嘉善县西塘镇塘东街1号",
        documents=[DocumentInput("起诉状副本")],
        method="direct",
    )
    deliver_pending()
    ServiceRequest.objects.filter(pk=request.pk).update(
        received_at=dt.datetime.now(COURT_TZ) - dt.timedelta(days=2)
    )
    common.request_accept(ServiceRequest, request_id=request.pk, actor=officer)
    served_at = dt.datetime.now(COURT_TZ) - dt.timedelta(days=1)
    service_request_report_attempt(
        request_id=request.pk,
        actor=officer,
        attempt=AttemptInput(
            method="direct",
            result="served",
            served_at=served_at,
            place="西塘镇塘东街1号",
            signer="赵六",
            officers="钱七、孙八",
            remarks="内部备注：被告态度消极",
        ),
    )
    deliver_pending()
    return request, officer, served_at.date()


def test_the_api_answers_the_contract_fields(client, registered):
    filing, case, code = registered
    response = ask(client, filing.receipt_number, code)
    assert response.status_code == 200, response.content
    body = response.json()
    for key in ("state", "state_label", "court", "next_step", "due_at", "milestones", "upcoming"):
        assert key in body
    assert body["state"] == "registered" and body["case_number"] == case.number
    assert body["court"].startswith("上海市青浦区人民法院")
    assert [m["label"] for m in body["milestones"]][:3] == ["窗口收到材料", "管辖法院收到材料", "已立案"]
    assert [m["court"] for m in body["milestones"]][:3] == [
        "江苏省苏州市吴江区人民法院",
        "上海市青浦区人民法院",
        "上海市青浦区人民法院",
    ]
    assert all({"at", "label", "court"} <= set(m) for m in body["milestones"])
    assert body["upcoming"] == []


def test_the_milestones_follow_the_matter_to_another_court_and_its_service(
    client, registered, qingpu_clerk, courts
):
    filing, case, code = registered
    _request, _officer, served_on = serve_at_jiashan(case, qingpu_clerk, courts)
    body = ask(client, case.number, code).json()
    served = [m for m in body["milestones"] if m["label"] == "文书已送达"]
    assert served == [{"at": served_on.isoformat(), "label": "文书已送达", "court": "浙江省嘉善县人民法院"}]
    # The receipt number finds the same matter.
    assert ask(client, filing.receipt_number, code).json()["milestones"] == body["milestones"]


def test_numbers_and_codes_are_read_as_typed(client, registered):
    _filing, case, code = registered
    typed = (
        case.number.replace("（", "(")
        .replace("）", ")")
        .translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    )
    spaced_code = f" {code[:4].lower()} {code[4:]} "
    assert ask(client, f"  {typed[:6]} {typed[6:]}", spaced_code).status_code == 200


# --- What is never shown, a test per rule -------------------------------------------------------------------


def everything_public(client, number, code) -> str:
    """The API's answer and the page's, as one text to search."""
    api = ask(client, number, code).content.decode("unicode_escape")
    page = client.post("/status/", {"number": number, "code": code}).content.decode()
    return api + page


def test_no_identity_number_phone_or_address_of_anyone(client, registered, qingpu_clerk, courts):
    filing, case, code = registered
    serve_at_jiashan(case, qingpu_clerk, courts)
    text = everything_public(client, case.number, code)
    for secret in (PLAINTIFF_ID, DEFENDANT_USCC, "13812345678", "021-59700000", "黎里镇汾湖大道1号"):
        assert secret not in text
    assert "西塘镇塘东街1号" not in text and "上海市青浦区朱家角镇" not in text


def test_no_party_name_at_all_so_no_other_party_can_be_named(client, registered):
    filing, case, code = registered
    text = everything_public(client, filing.receipt_number, code)
    assert "张三" not in text and "上海青浦某贸易有限公司" not in text


def test_no_member_of_staff_is_named(client, registered, qingpu_clerk, courts):
    filing, case, code = registered
    _request, officer, _ = serve_at_jiashan(case, qingpu_clerk, courts)
    text = everything_public(client, case.number, code)
    for person in (qingpu_clerk, officer, filing.submitted_by):
        assert person.username not in text
        assert not person.get_full_name() or person.get_full_name() not in text
    assert "钱七" not in text and "赵六" not in text  # the serving officers and the signer, as entered


def test_no_internal_remark_or_refusal_draft(client, wujiang_clerk, qingpu_clerk, courts):
    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    svc.filing_refuse(filing_id=filing.pk, actor=qingpu_clerk, reason="草稿：原告主体不适格，待庭长审批")
    text = everything_public(client, filing.receipt_number, code)
    assert "不予受理" in text
    assert "草稿" not in text and "主体不适格" not in text


def test_a_preservation_is_shown_only_once_carried_out():
    report = public_event("preservation_request.report")
    assert report.shown(Event(payload={"measures_done": 1, "measures": 2}))
    assert not report.shown(Event(payload={"measures_done": 0, "measures": 2}))
    for hidden in ("send", "receive", "accept", "return", "cancel", "overdue", "escalate", "attach"):
        assert public_event(f"preservation_request.{hidden}") is None, hidden


def test_actions_of_the_courts_own_work_are_never_milestones():
    for action in (
        "filing.attach",
        "filing.reissue_query_code",
        "filing.lift_lookup_lock",
        "filing.overdue",
        "service_request.accept",
        "service_request.attempt_failed",
        "service_request.escalate",
        "service_request.attach",
        "session.schedule",
        "session.cancel",
        "mediation.invite",
        "mediation.replace_agreement",
        "confirmation.overdue",
    ):
        assert public_event(action) is None, action


# --- Equal refusals, the lock, the log ---------------------------------------------------------------------


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_an_unknown_number_and_a_wrong_code_get_the_same_answer(client, registered):
    filing, _case, code = registered
    wrong_code = "A" * 8 if code != "A" * 8 else "B" * 8
    unknown = ask(client, "KY320509-20990101-0001", code)
    wrong = ask(client, filing.receipt_number, wrong_code)
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())
    assert wrong.status_code == 404 and set(wrong.json()) == {"code", "message", "fields"}
    page_unknown = client.post("/status/", {"number": "KY320509-20990101-0001", "code": code})
    page_wrong = client.post("/status/", {"number": filing.receipt_number, "code": wrong_code})
    assert page_unknown.status_code == page_wrong.status_code == 200
    assert _without_csrf(page_unknown.content.decode()).replace(
        "KY320509-20990101-0001", "N"
    ) == _without_csrf(page_wrong.content.decode()).replace(filing.receipt_number, "N")


@pytest.mark.parametrize(
    "body",
    [
        {"number": "x" * 5000, "code": "ABCDEFGH"},
        {"number": "KY320509-20260101-0001", "code": "x" * 5000},
        {"number": "'; DROP TABLE cases_case; --", "code": "\u202e\u0000"},
        {"number": "（2026）沪0118民初1号", "code": ""},
    ],
)
def test_malformed_or_over_long_input_gets_one_generic_refusal(client, db, body):
    response = client.post(API, body, content_type="application/json")
    assert response.status_code in (400, 404)
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize("body", [{}, {"number": "KY1"}, {"code": "ABCDEFGH"}, {"number": ["a"], "code": 1}])
def test_a_missing_field_is_a_400_in_the_error_shape(client, db, body):
    response = client.post(API, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"]


def test_five_wrong_codes_lock_the_number_for_everyone_then_it_unlocks(client, registered, settings):
    settings.STATUS_LOOKUP_LOCK_SECONDS = 2
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 100  # the per-address throttle is not what is tested here
    filing, _case, code = registered
    for _ in range(5):
        assert ask(client, filing.receipt_number, "WRONGCDE").status_code == 404
    locked = ask(client, filing.receipt_number, code)  # the right code, but locked
    assert locked.status_code == 429 and locked.json()["code"] == "locked"
    assert "锁定" in locked.json()["message"] and locked.headers["Retry-After"] == "2"
    assert client.post("/status/", {"number": filing.receipt_number, "code": code}).status_code == 429
    time.sleep(2.2)
    assert ask(client, filing.receipt_number, code).status_code == 200


def test_an_unknown_number_locks_just_as_a_real_one(client, db, settings):
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 100
    for _ in range(5):
        ask(client, "KY320509-20990101-0009", "WRONGCDE")
    assert ask(client, "KY320509-20990101-0009", "WRONGCDE").json()["code"] == "locked"


def test_parallel_wrong_codes_cannot_pass_the_lock(registered, settings):
    """Counted before the code is checked: twenty tries at once, and still only five are checked."""
    from concurrent.futures import ThreadPoolExecutor

    from courts.lookup_guard import LookupGuard

    filing, _case, _code = registered
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 100
    with ThreadPoolExecutor(8) as pool:
        openings = list(pool.map(lambda _: LookupGuard(filing.receipt_number, "10.0.0.9").begin(), range(20)))
    assert [opening.refusal for opening in openings].count(None) == 5


def test_the_window_clerk_sees_the_lock_and_lifts_it(client, registered, wujiang_clerk, settings):
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 100
    filing, case, code = registered
    for _ in range(6):
        ask(client, case.number, "WRONGCDE")
    assert ask(client, case.number, code).status_code == 429
    client.force_login(wujiang_clerk)
    assert 'data-testid="lookup-lock"' in client.get(f"/filings/{filing.pk}/").content.decode()
    receipt = client.get(f"/filings/{filing.pk}/receipt/").content.decode()
    assert case.number in receipt and 'data-testid="lift-lock"' in receipt
    client.post(f"/filings/{filing.pk}/lift-lock/")
    event = Event.objects.for_subject(filing).get(action="filing.lift_lookup_lock")
    assert event.actor == wujiang_clerk and event.payload == {"numbers": [case.number]}
    client.logout()
    assert ask(client, case.number, code).status_code == 200


def test_another_courts_clerk_cannot_lift_it(client, registered, settings):
    filing, _case, _code = registered
    outsider = make_staff("jiashan.window", "jiashan", ["window_clerk"])
    client.force_login(outsider)
    assert client.post(f"/filings/{filing.pk}/lift-lock/").status_code == 404


def test_a_new_code_opens_a_locked_number(client, registered, wujiang_clerk, settings):
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 100
    filing, _case, _code = registered
    for _ in range(6):
        ask(client, filing.receipt_number, "WRONGCDE")
    _filing, new_code = svc.filing_reissue_query_code(filing_id=filing.pk, actor=wujiang_clerk)
    assert ask(client, filing.receipt_number, new_code).status_code == 200


def test_the_address_throttle_stays(client, registered, settings):
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 3
    filing, _case, code = registered
    for number in ("KY1", "KY2", "KY3"):
        ask(client, number, "WRONGCDE")
    response = ask(client, filing.receipt_number, code)
    assert response.status_code == 429 and response.json()["code"] == "throttled"


def test_every_lookup_is_logged_without_the_code(client, registered, settings):
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 100
    filing, case, code = registered
    ask(client, filing.receipt_number, code)
    ask(client, filing.receipt_number, "WRONGCDE")
    ask(client, filing.receipt_number, code)  # answered from the kept answer: logged all the same
    for _ in range(6):
        ask(client, "KY9", "WRONGCDE")
    assert StatusLookup.objects.count() == 0  # in Redis until the log is drained (beat, every 10 s)
    assert drain_lookup_log() == 9
    rows = list(StatusLookup.objects.order_by("created_at", "id"))
    assert [(row.number, row.result) for row in rows] == [
        (filing.receipt_number, "found"),
        (filing.receipt_number, "refused"),
        (filing.receipt_number, "found"),
        *[("KY9", "refused")] * 5,
        ("KY9", "locked"),
    ]
    assert rows[0].filing == filing and rows[0].case == case and rows[0].address == "127.0.0.1"
    assert rows[2].filing == filing and rows[2].case == case
    for row in rows:
        assert code not in str(vars(row)) and "WRONGCDE" not in str(vars(row))


def test_answers_are_never_cached(client, registered):
    filing, _case, code = registered
    for response in (ask(client, filing.receipt_number, code), client.get("/status/"), client.get("/kiosk/")):
        assert (
            "no-store" in response.headers["Cache-Control"]
            or "max-age=0" in response.headers["Cache-Control"]
        )


def test_the_qr_link_fills_in_the_number(client, registered):
    filing, _case, _code = registered
    page = client.get(f"/status/?number={filing.receipt_number}").content.decode()
    assert f'value="{filing.receipt_number}"' in page


def test_a_lookup_costs_at_most_four_queries(
    client, registered, qingpu_clerk, courts, django_assert_max_num_queries
):
    _filing, case, code = registered
    serve_at_jiashan(case, qingpu_clerk, courts)
    with django_assert_max_num_queries(4):
        assert ask(client, case.number, code).status_code == 200
    with django_assert_max_num_queries(2):
        assert ask(client, case.number, "WRONGCDE").status_code == 404


# --- Query codes -----------------------------------------------------------------------------------------


def test_codes_are_eight_characters_without_look_alikes_and_stored_as_a_keyed_hash(registered):
    filing, case, code = registered
    assert len(code) >= 8 and not set(code) & set("0O1IL")
    filing.refresh_from_db()
    assert filing.query_code_hash == query_codes.hash_code(code) == case.query_code_hash
    assert filing.query_code_hash.startswith("hmac-sha256$") and code not in filing.query_code_hash


def test_the_hash_depends_on_the_server_key(settings):
    first = query_codes.hash_code("ABCDEFGH")
    settings.QUERY_CODE_KEY = "another-key-" * 4
    assert query_codes.hash_code("ABCDEFGH") != first
    assert query_codes.hash_code("abcd efgh") == query_codes.hash_code("ABCDEFGH")


def test_a_code_issued_before_the_keyed_hash_still_works_and_is_then_kept_as_one(client, registered):
    filing, case, code = registered
    Filing.objects.filter(pk=filing.pk).update(query_code_hash=make_password(code))
    case.__class__.objects.filter(pk=case.pk).update(query_code_hash=make_password(code))
    assert ask(client, filing.receipt_number, code).status_code == 200
    filing.refresh_from_db()
    assert filing.query_code_hash == query_codes.hash_code(code)
    assert ask(client, filing.receipt_number, code).status_code == 200


def test_production_refuses_to_start_without_a_query_code_key():
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "0",
        "SECRET_KEY": "s" * 40,
        "FIELD_ENCRYPTION_KEYS": "ZmVybmV0LWtleS1mb3ItdGhlLXRlc3Qtb25seS0xMjM0NTY=",
        "FIELD_LOOKUP_KEY": "l" * 40,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
            "from django.conf import settings; settings.QUERY_CODE_KEY",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "QUERY_CODE_KEY" in result.stderr


# --- After review -------------------------------------------------------------------------------------------


def test_a_broker_that_does_not_answer_refuses_the_lookup_never_a_500(client, registered, settings):
    filing, _case, code = registered
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = ask(client, filing.receipt_number, code)
    assert response.status_code == 503 and response.json()["code"] == "unavailable"
    assert client.post("/status/", {"number": filing.receipt_number, "code": code}).status_code == 503
    assert set(StatusLookup.objects.values_list("result", flat=True)) == {"unavailable"}  # written directly


def test_a_success_never_brings_back_a_counter_that_is_gone(registered):
    """A count given back to a key that expired or was lifted meanwhile would sit at -1 with no expiry."""
    from courts.lookup_guard import PREFIX, LookupGuard, client, lift_lock

    filing, _case, _code = registered
    guard = LookupGuard(filing.receipt_number, "10.0.0.7")
    assert guard.begin().refusal is None
    lift_lock(filing.receipt_number)  # a clerk lifts (and forgets the count) meanwhile
    guard.succeeded()
    assert client().exists(f"{PREFIX}number:{filing.receipt_number}") == 0
    assert client().ttl(f"{PREFIX}addr:10.0.0.7") > 0


def test_every_malformed_request_gets_one_answer_naming_no_part(client, db):
    bodies = [
        {},
        {"number": "KY1"},
        {"code": "ABCDEFGH"},
        {"number": ["a"], "code": 1},
        {"number": "x" * 999},
    ]
    answers = {str(client.post(API, body, content_type="application/json").json()) for body in bodies}
    assert len(answers) == 1


def test_numbers_typed_into_the_items_to_bring_are_masked(client, wujiang_clerk, qingpu_clerk, courts):
    from tests.cases.conftest import working_day

    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    svc.filing_request_correction(
        filing_id=filing.pk,
        actor=qingpu_clerk,
        items=[f"原告身份证（{PLAINTIFF_ID}）复印件", "联系电话13812345678的确认"],
        deadline=working_day(5),
    )
    body = ask(client, filing.receipt_number, code).json()
    assert body["items"] == [
        f"原告身份证（{PLAINTIFF_ID[:4]}**********{PLAINTIFF_ID[-4:]}）复印件",
        "联系电话138****5678的确认",
    ]
    assert PLAINTIFF_ID not in str(body) and "13812345678" not in str(body)


def test_old_codes_stop_matching_once_the_fallback_is_turned_off(client, registered, settings):
    filing, case, code = registered
    Filing.objects.filter(pk=filing.pk).update(query_code_hash=make_password(code))
    settings.QUERY_CODE_ACCEPT_PASSWORD_HASHES = False
    assert ask(client, filing.receipt_number, code).status_code == 404
