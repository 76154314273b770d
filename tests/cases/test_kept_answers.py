"""A right code's answer is kept in Redis (courts.lookup_guard) and answers the same number and code again
without the database, while none of the matter's records has changed: every timeline event ends the kept
answers that read its record or the records it points to, before and after it commits."""

import time

import pytest
from django.db import transaction

from cases.models import StatusLookup
from cases.services import filings as svc
from cases.status import answer_key, drain_lookup_log, status_from_json
from courts import lookup_guard, timeline
from courts.lookup_guard import LookupGuard
from courts.timeline import record_event, record_events
from tests.cases.conftest import deliver_pending, submit
from tests.cases.test_public_status import ask, serve_at_jiashan

pytestmark = pytest.mark.django_db
REAL_MARK_AFTER_COMMIT = timeline._mark_after_commit  # before tests/conftest.py makes marks at once


def test_a_right_code_asked_again_is_answered_without_the_database(
    client, registered, django_assert_num_queries
):
    _filing, case, code = registered
    first = ask(client, case.number, code)
    with django_assert_num_queries(0):
        again = ask(client, case.number, code)
    assert again.status_code == 200 and again["Content-Type"] == "application/json"
    assert again.json() == first.json() and again["Cache-Control"] == first["Cache-Control"]


def test_the_kept_answer_is_the_one_the_serializer_documents(client, registered):
    from cases.api.public import StatusSerializer

    filing, _case, code = registered
    lookup_body = ask(client, filing.receipt_number, code).json()
    assert StatusSerializer(status_from_json(lookup_body)).data == lookup_body


def test_a_wrong_code_is_never_kept_and_costs_what_an_unknown_number_does(
    client, registered, django_assert_num_queries
):
    filing, _case, _code = registered
    for number in (filing.receipt_number, filing.receipt_number, "KY000000-20260101-0001"):
        with django_assert_num_queries(1):  # the finder's query, each time
            assert ask(client, number, "WRONGCDE").status_code == 404


def test_service_by_another_court_ends_the_cases_kept_answer(client, registered, qingpu_clerk, courts):
    filing, case, code = registered
    before = ask(client, case.number, code).json()
    assert "文书已送达" not in [m["label"] for m in before["milestones"]]
    serve_at_jiashan(case, qingpu_clerk, courts)  # events of the service request, which points to the case
    for number in (case.number, filing.receipt_number):
        assert "文书已送达" in [m["label"] for m in ask(client, number, code).json()["milestones"]]


def test_registration_ends_the_receipts_kept_answer(client, wujiang_clerk, qingpu_clerk, courts):
    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    assert ask(client, filing.receipt_number, code).json()["state"] == "received"
    case = svc.filing_register(filing_id=filing.pk, actor=qingpu_clerk)
    body = ask(client, filing.receipt_number, code).json()
    assert body["state"] == "registered" and body["case_number"] == case.number


def test_a_new_code_ends_the_old_codes_kept_answer(client, registered, wujiang_clerk):
    filing, _case, code = registered
    assert ask(client, filing.receipt_number, code).status_code == 200
    _filing, new_code = svc.filing_reissue_query_code(filing_id=filing.pk, actor=wujiang_clerk)
    assert ask(client, filing.receipt_number, code).status_code == 404
    assert ask(client, filing.receipt_number, new_code).status_code == 200


def test_each_language_has_its_own_answer(client, registered):
    filing, _case, code = registered
    chinese = ask(client, filing.receipt_number, code).json()
    english = client.post(
        "/api/public/status/",
        {"number": filing.receipt_number, "code": code},
        content_type="application/json",
        headers={"accept-language": "en"},
    ).json()
    assert chinese["milestones"][0]["label"] == "窗口收到材料"
    assert english["milestones"][0]["label"] == "Materials received at the window"


def test_the_status_page_reads_the_kept_answer_too(client, registered, django_assert_max_num_queries):
    filing, case, code = registered
    ask(client, filing.receipt_number, code)
    with django_assert_max_num_queries(0):
        page = client.post("/status/", {"number": filing.receipt_number, "code": code}).content.decode()
    assert 'data-testid="status"' in page and case.number in page


def test_an_answer_read_before_a_change_is_not_kept_past_it(registered):
    """The epoch is read before the records are: a change marked in between wins over the answer."""
    filing, _case, code = registered
    guard = LookupGuard(filing.receipt_number, "10.0.0.3", answer_key=answer_key(filing.receipt_number, code))
    opening = guard.begin()
    assert opening.answer is None
    lookup_guard.records_changed([f"cases.filing:{filing.pk}"])  # committed while the lookup read
    guard.succeeded(answer=b'{"stale": true}', epoch=opening.epoch, records=[f"cases.filing:{filing.pk}"])
    assert guard.begin().answer is None
    # Kept under the epoch after the change, the next answer is used.
    opening = guard.begin()
    guard.succeeded(answer=b'{"fresh": true}', epoch=opening.epoch, records=[f"cases.filing:{filing.pk}"])
    assert guard.begin().answer == b'{"fresh": true}'


def test_a_change_ends_kept_answers_once_it_has_committed(
    registered, monkeypatch, django_capture_on_commit_callbacks
):
    """The mark waits for the commit: an answer read while the change was uncommitted (the old rows) is
    kept under an epoch before the mark, and the mark ends it. One mark for all the transaction's events."""
    from courts import timeline

    monkeypatch.setattr(timeline, "_mark_after_commit", REAL_MARK_AFTER_COMMIT)
    filing, case, code = registered
    guard = LookupGuard(filing.receipt_number, "10.0.0.4", answer_key=answer_key(filing.receipt_number, code))
    epoch = lookup_guard.client().get(lookup_guard.EPOCH)
    with django_capture_on_commit_callbacks() as callbacks:
        record_event(subject=filing, action="filing.remark")  # a change, in the test's transaction
        record_event(subject=case, action="case.remark")
    assert lookup_guard.client().get(lookup_guard.EPOCH) == epoch  # nothing marked before the commit
    opening = guard.begin()  # reads the old rows: the change has not committed
    guard.succeeded(answer=b"{}", epoch=opening.epoch, records=[f"cases.filing:{filing.pk}"])
    assert guard.begin().answer == b"{}"
    for callback in callbacks:
        callback()  # the commit
    assert guard.begin().answer is None
    assert int(lookup_guard.client().get(lookup_guard.EPOCH)) == opening.epoch + 1  # one mark for both


def test_a_mark_that_fails_never_fails_the_change(registered, settings, django_capture_on_commit_callbacks):
    """The change has committed by then: a broker that is away or not Redis is logged, not raised."""
    from courts import timeline

    filing, _case, _code = registered
    for broker in ("redis://127.0.0.1:1/0", "amqp://guest@127.0.0.1//"):
        settings.CELERY_BROKER_URL = broker
        with django_capture_on_commit_callbacks(execute=True):
            record_event(subject=filing, action="filing.remark")
        timeline.mark_pending_changes()  # as the commit would


def test_events_of_records_no_answer_reads_cost_no_redis_call(db, monkeypatch):
    from courts import timeline
    from courts.models import Court

    calls = []
    monkeypatch.setattr(timeline, "records_changed", calls.append)
    with transaction.atomic():
        record_event(subject=Court.objects.first(), action="court.remark")
    assert calls == []


def test_events_written_in_bulk_mark_the_records_they_point_to(registered, qingpu_clerk, courts):
    from courts.models import Event

    _filing, case, _code = registered
    request, _officer, _served = serve_at_jiashan(case, qingpu_clerk, courts)
    epoch = int(lookup_guard.client().get(lookup_guard.EPOCH))
    record_events(
        [
            Event(
                subject_type="cases.servicerequest",
                subject_id=request.pk,
                action="service_request.flag_overdue",
            )
        ]
    )
    # The request's case is what answers read; the request itself is read through it, never marked.
    assert int(lookup_guard.client().get(f"{lookup_guard.CHANGED}cases.case:{case.pk}")) > epoch
    assert lookup_guard.client().get(f"{lookup_guard.CHANGED}cases.servicerequest:{request.pk}") is None


def test_a_kept_answer_lapses_at_its_first_appointment(registered):
    filing, _case, code = registered
    guard = LookupGuard(filing.receipt_number, "10.0.0.5", answer_key=answer_key(filing.receipt_number, code))
    guard.succeeded(answer=b"{}", epoch=guard.begin().epoch, until=time.time() - 1)
    assert guard.begin().answer is None
    guard.succeeded(answer=b"{}", epoch=guard.begin().epoch, until=time.time() + 60)
    assert guard.begin().answer == b"{}"


def test_a_kept_answer_still_counts_towards_the_address_throttle_and_the_lock(client, registered, settings):
    settings.STATUS_LOOKUP_NUMBER_LIMIT = 2
    filing, _case, code = registered
    assert ask(client, filing.receipt_number, code).status_code == 200  # kept now
    ask(client, filing.receipt_number, "WRONGCDE")
    ask(client, filing.receipt_number, "WRONGCDE")
    assert ask(client, filing.receipt_number, code).status_code == 429  # locked: the kept answer waits


def test_a_kept_answer_waits_while_the_address_is_throttled(client, registered, settings):
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 2
    filing, _case, code = registered
    assert ask(client, filing.receipt_number, code).status_code == 200  # kept now
    for number in ("KY1", "KY2"):
        ask(client, number, "WRONGCDE")
    response = ask(client, filing.receipt_number, code)
    assert response.status_code == 429 and response.json()["code"] == "throttled"


def test_the_log_moved_twice_after_a_crash_counts_each_lookup_once(client, registered):
    filing, _case, code = registered
    ask(client, filing.receipt_number, code)
    ask(client, filing.receipt_number, code)
    entries = lookup_guard.read_log(10)
    assert len(entries) == 2
    # A drain that wrote its rows but died before forgetting the entries: the next drain adds nothing twice.
    forget = lookup_guard.forget_log
    lookup_guard.forget_log = lambda _entries: None
    try:
        drain_lookup_log()
    finally:
        lookup_guard.forget_log = forget
    drain_lookup_log()
    assert StatusLookup.objects.count() == 2 and lookup_guard.read_log(10) == []


def test_beat_drains_the_log(client, registered, settings):
    from cases.tasks import drain_status_lookup_log

    assert settings.CELERY_BEAT_SCHEDULE["drain-status-lookup-log"]["task"] == drain_status_lookup_log.name
    filing, _case, code = registered
    ask(client, filing.receipt_number, code)
    assert drain_status_lookup_log() == 1 and StatusLookup.objects.get().found


@pytest.mark.parametrize(
    "body",
    [
        {"number": "KY1", "code": "ABCDEFGH"},
        {"number": "  KY1 ", "code": " abcd efgh "},
        {"number": "", "code": "ABCDEFGH"},
        {"number": "   ", "code": "ABCDEFGH"},
        {"number": "KY1"},
        {"number": 123, "code": 45678901},
        {"number": 1.5, "code": "ABCDEFGH"},
        {"number": True, "code": "ABCDEFGH"},
        {"number": ["KY1"], "code": "ABCDEFGH"},
        {"number": {"a": 1}, "code": "ABCDEFGH"},
        {"number": None, "code": "ABCDEFGH"},
        {"number": "K" * 256, "code": "ABCDEFGH"},
        {"number": "K" * 257, "code": "ABCDEFGH"},
        {"number": "KY1", "code": "C" * 129},
        ["not", "an", "object"],
    ],
)
def test_the_views_check_of_the_body_is_the_documented_serializers(body):
    from cases.api.public import StatusRequestSerializer, _field

    serializer = StatusRequestSerializer(data=body)
    fields = (_field(body, "number"), _field(body, "code"))
    if serializer.is_valid():
        assert fields == (serializer.validated_data["number"], serializer.validated_data["code"])
    else:
        assert None in fields


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "*/*", ""])
def test_the_answer_is_json_whatever_the_client_accepts(client, registered, accept):
    filing, _case, code = registered
    for number, status in ((filing.receipt_number, 200), (filing.receipt_number, 200), ("KY9", 404)):
        response = client.post(
            "/api/public/status/",
            {"number": number, "code": code},
            content_type="application/json; charset=utf-8",
            headers={"accept": accept},
        )
        assert response.status_code == status and response["Content-Type"].startswith("application/json")
        assert response.json()
