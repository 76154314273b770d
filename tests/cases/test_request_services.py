"""Service and preservation requests through their services: every transition and refusal, the clocks,
escalation, reminders, and the deliveries between the courts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases.models import PreservationRequest, ServiceAttempt, ServiceRequest
from cases.services import requests as common
from cases.services.preservation_requests import MeasureInput, MeasureResult, preservation_request_create
from cases.services.preservation_requests import preservation_request_report as report_preservation
from cases.services.request_clocks import requests_sweep_clocks
from cases.services.service_requests import (
    AttemptInput,
    DocumentInput,
    service_request_create,
    service_request_report_attempt,
    service_request_report_failure,
)
from courts.errors import ActionForbidden, TransitionNotAllowed
from courts.legal_calendar import COURT_TZ
from courts.models import Delivery, Event, Notification
from tests.cases.conftest import deliver_pending, make_case
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def actions(record):
    return [e.action for e in Event.objects.for_subject(record)]


@pytest.fixture
def qingpu_requester(courts):
    return make_staff("qingpu.req", "qingpu", ["filing_clerk"])


def send_service(actor, case, courts, **overrides):
    values = {
        "case": case,
        "entrusted_court": courts["jiashan"],
        "recipient": case.parties.get(role="defendant"),
        "address": "浙江省嘉善县西塘镇塘东街1号",
        "documents": [
            DocumentInput("起诉状副本"),
            DocumentInput("应诉通知书", copies=1, reference="（2026）沪0118民初1号"),
        ],
        "method": "direct",
    }
    values.update(overrides)
    return service_request_create(actor=actor, **values)


@pytest.fixture
def service_received(qingpu_requester, qingpu_case, courts, jiashan_officer):
    request = send_service(qingpu_requester, qingpu_case, courts)
    deliver_pending()
    # Received two days ago, so an attempt an hour ago is after receipt.
    ServiceRequest.objects.filter(pk=request.pk).update(
        received_at=dt.datetime.now(COURT_TZ) - dt.timedelta(days=2)
    )
    request.refresh_from_db()
    return request


@pytest.fixture
def service_accepted(service_received, jiashan_officer):
    common.request_accept(ServiceRequest, request_id=service_received.pk, actor=jiashan_officer)
    deliver_pending()
    service_received.refresh_from_db()
    return service_received


def attempt(**overrides):
    values = {
        "method": "direct",
        "result": "served",
        "served_at": dt.datetime.now(COURT_TZ) - dt.timedelta(hours=1),
        "place": "西塘镇塘东街1号",
        "signer": "赵六",
        "officers": "钱七、孙八",
    }
    values.update(overrides)
    return AttemptInput(**values)


class TestServiceRequest:
    def test_it_reaches_the_entrusted_court_with_a_ten_day_clock(self, service_received, jiashan_officer):
        assert service_received.state == "received"
        assert service_received.reference.startswith("WS310118-")
        due = service_received.due_at.astimezone(COURT_TZ)
        assert due.time() == dt.time(23, 59, 59)
        assert service_received.acceptance_due_at is not None
        assert actions(service_received) == ["service_request.send", "service_request.receive"]
        assert Notification.objects.filter(
            recipient=jiashan_officer, title__contains=service_received.reference
        ).exists()

    def test_the_clock_crosses_national_day(self, qingpu_requester, qingpu_case, courts, monkeypatch):
        request = send_service(qingpu_requester, qingpu_case, courts)
        monkeypatch.setattr(common.timezone, "now", lambda: dt.datetime(2026, 9, 24, 10, tzinfo=COURT_TZ))
        deliver_pending()
        request.refresh_from_db()
        assert request.due_at == dt.datetime(2026, 10, 8, 23, 59, 59, tzinfo=COURT_TZ)

    def test_served_then_acknowledged(self, service_accepted, jiashan_officer, qingpu_requester):
        record = service_request_report_attempt(
            request_id=service_accepted.pk, actor=jiashan_officer, attempt=attempt()
        )
        service_accepted.refresh_from_db()
        assert service_accepted.state == "served"
        assert service_accepted.served_on == record.served_on == timezone_today_minus_hour()
        deliver_pending()
        assert Notification.objects.filter(
            recipient=qingpu_requester, title__contains=service_accepted.reference
        ).exists()
        common.request_acknowledge(ServiceRequest, request_id=service_accepted.pk, actor=qingpu_requester)
        service_accepted.refresh_from_db()
        assert service_accepted.state == "closed"
        assert actions(service_accepted)[-2:] == ["service_request.serve", "service_request.acknowledge"]

    def test_a_failed_attempt_goes_back_at_once_and_the_request_stays_open(
        self, service_accepted, jiashan_officer, qingpu_requester
    ):
        service_request_report_attempt(
            request_id=service_accepted.pk,
            actor=jiashan_officer,
            attempt=attempt(result="failed", reason="not_found", signer=""),
        )
        service_accepted.refresh_from_db()
        assert service_accepted.state == "accepted"
        assert actions(service_accepted)[-1] == "service_request.attempt_failed"
        deliver_pending()
        assert (
            Notification.objects.filter(recipient=qingpu_requester).count() == 2
        )  # accepted, attempt failed
        service_request_report_failure(request_id=service_accepted.pk, actor=jiashan_officer, reason="moved")
        service_accepted.refresh_from_db()
        assert (service_accepted.state, service_accepted.failure_reason) == ("failed", "moved")

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"served_at": dt.datetime.now(COURT_TZ) + dt.timedelta(days=1)}, "served_at"),
            ({"served_at": dt.datetime(2020, 1, 1, tzinfo=COURT_TZ)}, "served_at"),
            ({"result": "failed", "reason": "", "signer": ""}, "reason"),
            ({"signer": ""}, "signer"),
            ({"method": "proxy", "relation": ""}, "relation"),
            ({"method": "left", "signer": "", "witness": "", "remarks": ""}, "witness"),
            ({"place": " "}, "place"),
            ({"method": "carrier pigeon"}, "method"),
        ],
    )
    def test_a_bad_attempt_is_refused_and_nothing_is_stored(
        self, service_accepted, jiashan_officer, overrides, field
    ):
        with pytest.raises(ValidationError) as refused:
            service_request_report_attempt(
                request_id=service_accepted.pk, actor=jiashan_officer, attempt=attempt(**overrides)
            )
        assert field in refused.value.message_dict
        assert not ServiceAttempt.objects.exists()

    def test_a_report_before_acceptance_is_refused(self, service_received, jiashan_officer):
        with pytest.raises(ValidationError) as refused:
            service_request_report_attempt(
                request_id=service_received.pk, actor=jiashan_officer, attempt=attempt()
            )
        assert "state" in refused.value.message_dict

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"entrusted_court": "qingpu"}, "entrusted_court"),
            ({"recipient": "other-case"}, "recipient"),
            ({"address": ""}, "address"),
            ({"documents": []}, "documents"),
            ({"method": "fax"}, "method"),
        ],
    )
    def test_bad_requests_are_refused(self, qingpu_requester, qingpu_case, courts, overrides, field):
        if overrides.get("entrusted_court") == "qingpu":
            overrides["entrusted_court"] = courts["qingpu"]
        if overrides.get("recipient") == "other-case":
            overrides["recipient"] = make_case("qingpu").parties.first()
        with pytest.raises(ValidationError) as refused:
            send_service(qingpu_requester, qingpu_case, courts, **overrides)
        assert field in refused.value.message_dict
        assert not ServiceRequest.objects.exists() and not Delivery.objects.exists()

    def test_who_may_do_what(
        self, service_received, qingpu_requester, jiashan_officer, qingpu_officer, courts
    ):
        wujiang = make_staff("wj.clerk", "wujiang", ["filing_clerk"])
        with pytest.raises(ActionForbidden):
            common.request_accept(ServiceRequest, request_id=service_received.pk, actor=qingpu_requester)
        with pytest.raises(ActionForbidden):
            common.request_accept(ServiceRequest, request_id=service_received.pk, actor=qingpu_officer)
        with pytest.raises(ActionForbidden):
            common.request_cancel(ServiceRequest, request_id=service_received.pk, actor=jiashan_officer)
        with pytest.raises(ActionForbidden):
            send_service(wujiang, service_received.case, courts)

    def test_cancel_before_service_and_not_after(self, service_accepted, qingpu_requester, jiashan_officer):
        service_request_report_attempt(
            request_id=service_accepted.pk, actor=jiashan_officer, attempt=attempt()
        )
        with pytest.raises(TransitionNotAllowed):
            common.request_cancel(ServiceRequest, request_id=service_accepted.pk, actor=qingpu_requester)

    def test_a_request_cancelled_before_it_arrives_is_not_received(
        self, qingpu_requester, qingpu_case, courts, jiashan_officer
    ):
        request = send_service(qingpu_requester, qingpu_case, courts)
        common.request_cancel(
            ServiceRequest, request_id=request.pk, actor=qingpu_requester, reason="已自行送达"
        )
        deliver_pending()
        request.refresh_from_db()
        assert request.state == "cancelled"

    def test_the_entrusted_court_returns_it_with_a_reason(self, service_received, jiashan_officer):
        with pytest.raises(ValidationError):
            common.request_return(
                ServiceRequest, request_id=service_received.pk, actor=jiashan_officer, reason=""
            )
        common.request_return(
            ServiceRequest, request_id=service_received.pk, actor=jiashan_officer, reason="不属于本院辖区"
        )
        service_received.refresh_from_db()
        assert (service_received.state, service_received.reason) == ("returned", "不属于本院辖区")


def timezone_today_minus_hour():
    return (dt.datetime.now(COURT_TZ) - dt.timedelta(hours=1)).date()


def send_preservation(actor, case, courts, **overrides):
    values = {
        "case": case,
        "entrusted_court": courts["jiashan"],
        "respondent": case.parties.get(role="defendant"),
        "urgent": True,
        "stage": "in_suit",
        "allowed_amount": Decimal("300000"),
        "ruling_number": "（2026）沪0118民初1号之一",
        "measures": [
            MeasureInput(
                "freeze", "bank_deposit", "中国农业银行嘉善支行", Decimal("300000"), "6228480000000000"
            ),
            MeasureInput(
                "seal",
                "real_estate",
                "嘉善县不动产登记中心",
                Decimal("300000"),
                "浙(2020)嘉善县不动产权第1号",
            ),
        ],
    }
    values.update(overrides)
    return preservation_request_create(actor=actor, **values)


@pytest.fixture
def preservation_accepted(qingpu_requester, qingpu_case, courts, jiashan_officer):
    request = send_preservation(qingpu_requester, qingpu_case, courts)
    deliver_pending()
    common.request_accept(PreservationRequest, request_id=request.pk, actor=jiashan_officer)
    request.refresh_from_db()
    return request


class TestPreservationRequest:
    def test_urgent_requests_run_on_a_48_hour_clock(self, preservation_accepted):
        received = preservation_accepted.received_at.astimezone(COURT_TZ)
        first_full_hour = received.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        assert preservation_accepted.due_at == first_full_hour + dt.timedelta(hours=48)

    def test_ordinary_requests_run_on_five_days(self, qingpu_requester, qingpu_case, courts):
        request = send_preservation(qingpu_requester, qingpu_case, courts, urgent=False)
        deliver_pending()
        request.refresh_from_db()
        assert request.due_at.astimezone(COURT_TZ).date() >= request.received_at.astimezone(
            COURT_TZ
        ).date() + dt.timedelta(days=5)

    def test_carried_out_with_terms_by_property(self, preservation_accepted, jiashan_officer):
        freeze, seal = preservation_accepted.measures.all()
        report_preservation(
            request_id=preservation_accepted.pk,
            actor=jiashan_officer,
            results=[
                MeasureResult(freeze.pk, "done", Decimal("120000.50"), receipt="农行协执字第88号"),
                MeasureResult(seal.pk, "done", Decimal("179999.50"), receipt="不动产查封登记第12号"),
            ],
        )
        preservation_accepted.refresh_from_db()
        assert preservation_accepted.state == "carried_out"
        freeze.refresh_from_db()
        seal.refresh_from_db()
        today = dt.datetime.now(COURT_TZ).date()
        assert freeze.term_ends_on.year == today.year + 1 and seal.term_ends_on.year == today.year + 3

    def test_partly_carried_out(self, preservation_accepted, jiashan_officer):
        freeze, seal = preservation_accepted.measures.all()
        report_preservation(
            request_id=preservation_accepted.pk,
            actor=jiashan_officer,
            results=[
                MeasureResult(freeze.pk, "done", Decimal("1000"), receipt="r1"),
                MeasureResult(seal.pk, "failed", failure_reason="已被他案查封"),
            ],
        )
        preservation_accepted.refresh_from_db()
        assert preservation_accepted.state == "partly_carried_out"

    def test_the_total_preserved_never_exceeds_what_the_ruling_allows(
        self, preservation_accepted, jiashan_officer
    ):
        freeze, seal = preservation_accepted.measures.all()
        with pytest.raises(ValidationError) as refused:
            report_preservation(
                request_id=preservation_accepted.pk,
                actor=jiashan_officer,
                results=[
                    MeasureResult(freeze.pk, "done", Decimal("200000"), receipt="r1"),
                    MeasureResult(seal.pk, "done", Decimal("200000"), receipt="r2"),
                ],
            )
        assert "measures" in refused.value.message_dict
        preservation_accepted.refresh_from_db()
        assert preservation_accepted.state == "accepted"
        assert set(preservation_accepted.measures.values_list("result", flat=True)) == {"pending"}

    @pytest.mark.parametrize(
        ("result", "field"),
        [
            (MeasureResult(0, "done", Decimal("10"), receipt=""), "receipt"),
            (MeasureResult(0, "done", None, receipt="r"), "amount_done"),
            (MeasureResult(0, "done", Decimal("999999"), receipt="r"), "amount_done"),
            (
                MeasureResult(0, "done", Decimal("10"), receipt="r", term_ends_on=dt.date(2040, 1, 1)),
                "term_ends_on",
            ),
            (MeasureResult(0, "failed"), "failure_reason"),
        ],
    )
    def test_bad_measure_reports_name_the_field(self, preservation_accepted, jiashan_officer, result, field):
        freeze, seal = preservation_accepted.measures.all()
        result.measure = freeze.pk
        with pytest.raises(ValidationError) as refused:
            report_preservation(
                request_id=preservation_accepted.pk,
                actor=jiashan_officer,
                results=[result, MeasureResult(seal.pk, "failed", failure_reason="x")],
            )
        assert f"measures.0.{field}" in refused.value.message_dict

    def test_a_measure_above_the_allowed_amount_is_refused_at_the_start(
        self, qingpu_requester, qingpu_case, courts
    ):
        with pytest.raises(ValidationError) as refused:
            send_preservation(
                qingpu_requester,
                qingpu_case,
                courts,
                measures=[MeasureInput("freeze", "bank_deposit", "农行", Decimal("300000.01"))],
            )
        assert "measures.0.amount" in refused.value.message_dict


class TestClocks:
    def test_overdue_requests_are_flagged_once_with_one_notice_per_court(
        self, service_received, jiashan_officer, qingpu_requester
    ):
        ServiceRequest.objects.filter(pk=service_received.pk).update(
            due_at=dt.datetime(2026, 1, 1, tzinfo=COURT_TZ)
        )
        counts = requests_sweep_clocks()
        assert counts["service_request_overdue"] == 1
        assert requests_sweep_clocks()["service_request_overdue"] == 0
        service_received.refresh_from_db()
        assert service_received.overdue and actions(service_received)[-1] == "service_request.overdue"
        assert Notification.objects.filter(recipient=jiashan_officer, title__contains="1").count() >= 1
        assert Notification.objects.filter(recipient=qingpu_requester, url__contains="overdue").count() == 1

    def test_a_request_not_accepted_in_one_working_day_goes_to_the_administrator(
        self, service_received, courts
    ):
        admin = make_staff("jiashan.admin", "jiashan", ["court_admin"])
        ServiceRequest.objects.filter(pk=service_received.pk).update(
            acceptance_due_at=dt.datetime(2026, 1, 1, tzinfo=COURT_TZ)
        )
        assert requests_sweep_clocks()["service_request_escalated"] == 1
        assert Notification.objects.filter(recipient=admin).count() == 1
        assert requests_sweep_clocks()["service_request_escalated"] == 0

    def test_renewal_and_pre_suit_reminders(self, qingpu_requester, qingpu_case, courts, jiashan_officer):
        request = send_preservation(qingpu_requester, qingpu_case, courts, stage="pre_suit")
        deliver_pending()
        common.request_accept(PreservationRequest, request_id=request.pk, actor=jiashan_officer)
        freeze, seal = request.measures.all()
        soon = dt.datetime.now(COURT_TZ).date() + dt.timedelta(days=10)
        report_preservation(
            request_id=request.pk,
            actor=jiashan_officer,
            results=[
                MeasureResult(freeze.pk, "done", Decimal("1000"), receipt="r1", term_ends_on=soon),
                MeasureResult(seal.pk, "failed", failure_reason="x"),
            ],
        )
        PreservationRequest.objects.filter(pk=request.pk).update(
            carried_out_at=dt.datetime.now(COURT_TZ) - dt.timedelta(days=31)
        )
        counts = requests_sweep_clocks()
        assert (counts["renewal_reminders"], counts["pre_suit_reminders"]) == (1, 1)
        assert requests_sweep_clocks()["renewal_reminders"] == 0
        titles = list(Notification.objects.filter(recipient=qingpu_requester).values_list("title", flat=True))
        assert any(str(soon) in title for title in titles)


def test_the_third_court_sees_nothing(service_received, courts):
    from cases.selectors import cases_visible_to

    wujiang = make_staff("wj.clerk", "wujiang", ["filing_clerk", "officer"])
    assert not cases_visible_to(wujiang).filter(pk=service_received.case_id).exists()


class TestReviewedRules:
    def test_pre_suit_preservation_runs_on_48_hours_even_when_not_marked_urgent(
        self, qingpu_requester, qingpu_case, courts
    ):
        request = send_preservation(qingpu_requester, qingpu_case, courts, urgent=False, stage="pre_suit")
        deliver_pending()
        request.refresh_from_db()
        received = request.received_at.astimezone(COURT_TZ)
        assert request.due_at - received < dt.timedelta(hours=50)
        # and an unaccepted urgent request reaches the administrators within hours, not a working day
        assert request.acceptance_due_at - request.received_at <= dt.timedelta(hours=4)

    def test_the_cap_is_the_rulings_across_every_court_asked(
        self, qingpu_requester, qingpu_case, courts, jiashan_officer
    ):
        wujiang_officer = make_staff("wj.off", "wujiang", ["officer"])
        first = send_preservation(
            qingpu_requester,
            qingpu_case,
            courts,
            measures=[MeasureInput("freeze", "bank_deposit", "农行嘉善支行", Decimal("300000"))],
        )
        second = send_preservation(
            qingpu_requester,
            qingpu_case,
            courts,
            entrusted_court=courts["wujiang"],
            measures=[MeasureInput("freeze", "bank_deposit", "农行吴江支行", Decimal("300000"))],
        )
        deliver_pending()
        common.request_accept(PreservationRequest, request_id=first.pk, actor=jiashan_officer)
        common.request_accept(PreservationRequest, request_id=second.pk, actor=wujiang_officer)
        report_preservation(
            request_id=first.pk,
            actor=jiashan_officer,
            results=[MeasureResult(first.measures.get().pk, "done", Decimal("250000"), receipt="r")],
        )
        with pytest.raises(ValidationError) as refused:
            report_preservation(
                request_id=second.pk,
                actor=wujiang_officer,
                results=[MeasureResult(second.measures.get().pk, "done", Decimal("60000"), receipt="r")],
            )
        assert "measures" in refused.value.message_dict
        report_preservation(
            request_id=second.pk,
            actor=wujiang_officer,
            results=[MeasureResult(second.measures.get().pk, "done", Decimal("50000"), receipt="r")],
        )

    def test_electronic_service_needs_the_recipients_consent(self, qingpu_requester, qingpu_case, courts):
        with pytest.raises(ValidationError) as refused:
            send_service(qingpu_requester, qingpu_case, courts, method="electronic")
        assert "method" in refused.value.message_dict

    def test_a_failed_attempt_reaches_the_requesting_court_with_its_reason(
        self, service_accepted, jiashan_officer, qingpu_requester
    ):
        service_request_report_attempt(
            request_id=service_accepted.pk,
            actor=jiashan_officer,
            attempt=attempt(result="failed", reason="moved", signer=""),
        )
        deliver_pending()
        latest = Notification.objects.filter(recipient=qingpu_requester).order_by("-id").first()
        assert (
            service_accepted.reference in latest.title
            and latest.title != f"{service_accepted.reference}: accepted"
        )

    def test_the_entrusted_officer_sees_the_recipients_identity_only_while_working_on_it(
        self, service_accepted, jiashan_officer, qingpu_requester
    ):
        from cases.permissions import may_see_identity

        recipient = service_accepted.recipient
        assert may_see_identity(jiashan_officer, recipient)
        service_request_report_attempt(
            request_id=service_accepted.pk, actor=jiashan_officer, attempt=attempt()
        )
        common.request_acknowledge(ServiceRequest, request_id=service_accepted.pk, actor=qingpu_requester)
        assert not may_see_identity(jiashan_officer, recipient)

    def test_receipt_photos_come_from_the_serving_court_and_nothing_is_added_once_finished(
        self, service_accepted, jiashan_officer, qingpu_requester, settings, tmp_path
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        settings.MEDIA_ROOT = tmp_path
        record = service_request_report_attempt(
            request_id=service_accepted.pk, actor=jiashan_officer, attempt=attempt()
        )

        def scan():
            return SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf")

        with pytest.raises(ActionForbidden):
            common.request_attach(
                ServiceRequest,
                request_id=service_accepted.pk,
                actor=qingpu_requester,
                upload=scan(),
                attempt_id=record.pk,
            )
        common.request_attach(
            ServiceRequest,
            request_id=service_accepted.pk,
            actor=jiashan_officer,
            upload=scan(),
            attempt_id=record.pk,
        )
        common.request_acknowledge(ServiceRequest, request_id=service_accepted.pk, actor=qingpu_requester)
        with pytest.raises(ValidationError):
            common.request_attach(
                ServiceRequest, request_id=service_accepted.pk, actor=qingpu_requester, upload=scan()
            )
        assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1

    def test_account_numbers_are_masked_for_staff_who_do_not_handle_the_measure(
        self, preservation_accepted, jiashan_officer, qingpu_requester
    ):
        from cases.permissions import may_see_accounts
        from cases.services.preservation_requests import measure_accounts_shown
        from courts.models import PersonalDataAccess

        clerk = make_staff("jiashan.window", "jiashan", ["window_clerk"])
        measures = list(preservation_accepted.measures.all())
        assert may_see_accounts(jiashan_officer, preservation_accepted)
        assert may_see_accounts(qingpu_requester, preservation_accepted)
        assert not may_see_accounts(clerk, preservation_accepted)

        masked = measure_accounts_shown(user=clerk, request=preservation_accepted, measures=measures)
        assert list(masked.values()) == ["6228********0000", "浙(20*********权第1号"]
        assert not PersonalDataAccess.objects.exists()

        shown = measure_accounts_shown(user=jiashan_officer, request=preservation_accepted, measures=measures)
        assert list(shown.values()) == ["6228480000000000", "浙(2020)嘉善县不动产权第1号"]
        access = PersonalDataAccess.objects.get()
        assert (access.user, access.subject_id, access.fields) == (
            jiashan_officer,
            preservation_accepted.pk,
            "account",
        )

    def test_account_numbers_are_encrypted_at_rest(self, preservation_accepted):
        from django.db import connection

        from courts.personal_data import unseal

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT account_cipher, account_masked FROM cases_preservationmeasure WHERE request_id = %s",
                [preservation_accepted.pk],
            )
            rows = cursor.fetchall()
        assert len(rows) == 2
        for cipher, masked in rows:
            assert cipher and "6228480000000000" not in cipher and "不动产权第1号" not in cipher
            assert "*" in masked
        # Real ciphertext under the project's keys (an encoding would not decrypt).
        assert {unseal(cipher) for cipher, _masked in rows} == {
            "6228480000000000",
            "浙(2020)嘉善县不动产权第1号",
        }
