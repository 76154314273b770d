"""The filing state machine through its services: every transition, every refusal, the deliveries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Filing, Party
from cases.services import filings as svc
from courts import query_codes
from courts.errors import ActionForbidden, TransitionNotAllowed
from courts.legal_calendar import COURT_TZ
from courts.models import Delivery, Event, Notification
from tests.cases.conftest import PLAINTIFF_ID, deliver_pending, submit, working_day


def move_by_compare_and_set(filing_id: int, to_state: str, **changes):
    """courts.state_machine.transition_if on a submitted filing, as filing_receive calls it."""
    from courts.state_machine import transition_if

    return transition_if(
        Filing,
        filing_id,
        transitions=svc.FILING_TRANSITIONS,
        from_state="submitted",
        to_state=to_state,
        changes=changes,
        action=f"filing.{to_state}",
    )


pytestmark = pytest.mark.django_db


def events(filing):
    return list(Event.objects.for_subject(filing).values_list("action", "from_state", "to_state"))


class TestSubmit:
    def test_it_issues_a_receipt_and_a_query_code_and_addresses_the_other_court(self, wujiang_clerk, courts):
        filing, code = submit(wujiang_clerk, courts)
        assert filing.state == "submitted"
        assert filing.receipt_number.startswith("KY320509-")
        assert filing.receipt_number.endswith("-0001")
        assert len(code) == 8 and query_codes.matches(code, filing.query_code_hash)[0]
        assert filing.collaborating_court.code == "wujiang" and filing.jurisdiction_court.code == "qingpu"
        assert events(filing) == [("filing.submit", "", "submitted")]
        delivery = Delivery.objects.get()
        assert (delivery.kind, delivery.court.code, delivery.payload) == (
            "filing.submitted",
            "qingpu",
            {"filing": filing.pk},
        )

    def test_receipt_numbers_count_per_court_and_day(self, wujiang_clerk, courts):
        first, _ = submit(wujiang_clerk, courts)
        second, _ = submit(wujiang_clerk, courts)
        assert int(second.receipt_number[-4:]) == int(first.receipt_number[-4:]) + 1

    def test_identity_is_stored_encrypted_hashed_and_masked(self, wujiang_clerk, courts):
        filing, _ = submit(wujiang_clerk, courts)
        plaintiff = filing.parties.get(role="plaintiff")
        assert plaintiff.id_number_masked == "3205**********1239"
        assert plaintiff.phone_masked == "138****5678"
        assert PLAINTIFF_ID not in plaintiff.id_number_cipher
        from courts.personal_data import lookup_hash, unseal

        assert unseal(plaintiff.id_number_cipher) == PLAINTIFF_ID
        assert Party.objects.get(id_number_lookup=lookup_hash(PLAINTIFF_ID)) == plaintiff

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"jurisdiction_court": "wujiang"}, "jurisdiction_court"),
            ({"category": "criminal"}, "category"),
            ({"cause": "  "}, "cause"),
            ({"claim_amount": "-5"}, "claim_amount"),
            ({"claim_amount": "100000000000.01"}, "claim_amount"),
            ({"materials": []}, "materials"),
            ({"materials": ["起诉状", " "]}, "materials"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_is_saved(self, wujiang_clerk, courts, overrides, field):
        with pytest.raises(ValidationError) as refused:
            submit(wujiang_clerk, courts, **overrides)
        assert field in refused.value.message_dict
        assert not Filing.objects.exists() and not Delivery.objects.exists() and not Party.objects.exists()

    @pytest.mark.parametrize(
        ("party", "field"),
        [
            ({"id_number": "320509199001011238"}, "parties.0.id_number"),  # check digit
            ({"id_number": "320509199002301239"}, "parties.0.id_number"),  # 30 February
            ({"id_number": "990509199001011239"}, "parties.0.id_number"),  # no such province
            ({"id_number": ""}, "parties.0.id_number"),  # the plaintiff must be identified
            ({"phone": "12345"}, "parties.0.phone"),
            ({"name": " "}, "parties.0.name"),
        ],
    )
    def test_bad_party_details_are_named(self, wujiang_clerk, courts, party, field):
        from tests.cases.conftest import filing_payload

        parties = filing_payload()["parties"]
        parties[0] = {**parties[0], **party}
        with pytest.raises(ValidationError) as refused:
            submit(wujiang_clerk, courts, parties=parties)
        assert field in refused.value.message_dict

    def test_a_filing_needs_a_defendant(self, wujiang_clerk, courts):
        from tests.cases.conftest import filing_payload

        with pytest.raises(ValidationError) as refused:
            submit(wujiang_clerk, courts, parties=filing_payload()["parties"][:1])
        assert "parties" in refused.value.message_dict

    def test_a_bad_credit_code_is_refused(self, wujiang_clerk, courts):
        from tests.cases.conftest import filing_payload

        parties = filing_payload()["parties"]
        parties[1]["id_number"] = "91310118MA1JL5PX4Q"
        with pytest.raises(ValidationError) as refused:
            submit(wujiang_clerk, courts, parties=parties)
        assert "parties.1.id_number" in refused.value.message_dict

    def test_only_window_clerks_file(self, qingpu_clerk, courts):
        with pytest.raises(ActionForbidden):
            submit(qingpu_clerk, courts, jurisdiction_court="wujiang")


class TestReceive:
    def test_delivery_marks_it_received_and_starts_the_seven_day_clock(self, submitted, qingpu_clerk):
        submitted_at = submitted.updated_at
        assert deliver_pending() == 1
        submitted.refresh_from_db()
        assert submitted.state == "received"
        assert submitted.updated_at > submitted_at
        receipt = Event.objects.get(
            subject_type="cases.filing", subject_id=submitted.pk, action="filing.receive"
        )
        assert receipt.actor_court.code == "qingpu" and receipt.actor_id is None
        assert submitted.received_at is not None
        expected = svc.compute_deadline(submitted.received_at, 7, "days").due
        assert submitted.decision_due_at == expected
        assert events(submitted)[-1] == ("filing.receive", "submitted", "received")
        notice = Notification.objects.get(recipient=qingpu_clerk)
        assert submitted.receipt_number in notice.title

    def test_a_redelivered_message_changes_nothing_twice(self, submitted):
        from courts.delivery import delivery_handle

        delivery = Delivery.objects.get()
        message = (delivery.pk, delivery.kind, delivery.court_id, delivery.payload)
        assert delivery_handle(*message) is True
        assert delivery_handle(*message) is False  # the handler ran again, and was rolled back
        assert delivery_handle(delivery.pk) is False  # a message of the older form, without the copy
        assert [e for e in events(submitted) if e[0] == "filing.receive"] == [
            ("filing.receive", "submitted", "received")
        ]
        assert Notification.objects.count() == 1
        delivery.refresh_from_db()
        assert delivery.state == Delivery.State.DELIVERED and delivery.delivered_at is not None

    def test_a_message_of_the_older_form_is_delivered_from_the_row(self, submitted):
        from courts.delivery import delivery_handle

        assert delivery_handle(Delivery.objects.get().pk) is True
        submitted.refresh_from_db()
        assert submitted.state == "received"
        assert Notification.objects.count() == 1

    def test_a_filing_withdrawn_before_it_arrived_is_not_received(self, submitted, wujiang_clerk):
        svc.filing_withdraw(filing_id=submitted.pk, actor=wujiang_clerk)
        deliver_pending()
        submitted.refresh_from_db()
        assert submitted.state == "withdrawn" and submitted.received_at is None
        assert Delivery.objects.filter(kind="filing.submitted", state="delivered").exists()

    def test_receiving_a_filing_that_does_not_exist_fails_for_good(self, courts):
        from django.db import transaction

        from courts.models import Court

        with pytest.raises(Filing.DoesNotExist), transaction.atomic():
            svc.filing_receive(filing_id=987654, court=Court.objects.get(code="qingpu"))

    def test_a_receipt_addressed_to_the_wrong_court_is_refused(self, submitted, courts):
        from django.db import transaction

        from courts.models import Court

        with pytest.raises(ValueError), transaction.atomic():
            svc.filing_receive(filing_id=submitted.pk, court=Court.objects.get(code="jiashan"))
        submitted.refresh_from_db()
        assert submitted.state == "submitted"

    def test_a_move_the_map_does_not_allow_is_refused_before_any_write(self, submitted):
        with pytest.raises(TransitionNotAllowed):
            move_by_compare_and_set(submitted.pk, "registered")
        submitted.refresh_from_db()
        assert submitted.state == "submitted"

    def test_a_move_by_compare_and_set_sets_the_state_itself(self, submitted):
        from django.db import transaction

        with pytest.raises(ValueError), transaction.atomic():
            move_by_compare_and_set(submitted.pk, "received", state="registered")
        submitted.refresh_from_db()
        assert submitted.state == "submitted"

    def test_a_transition_on_a_copy_read_without_its_lock_fails_loudly_and_writes_nothing(
        self, submitted, qingpu_clerk
    ):
        from django.db import transaction

        stale = Filing.objects.get(pk=submitted.pk)
        Filing.objects.filter(pk=submitted.pk).update(state="withdrawn")  # changed behind its back
        with pytest.raises(RuntimeError), transaction.atomic():
            svc.filing_transition(stale, to_state="received", action="filing.receive")
        assert Filing.objects.get(pk=submitted.pk).state == "withdrawn"
        assert not Event.objects.filter(action="filing.receive").exists()

    def test_a_message_of_the_older_form_for_a_missing_row_fails_for_good(self, courts):
        from courts.delivery import delivery_handle

        with pytest.raises(Delivery.DoesNotExist):
            delivery_handle(987654)

    def test_a_receipt_costs_two_statements_besides_the_transaction(
        self, submitted, wujiang_clerk, courts, qingpu_clerk
    ):
        from courts.delivery import delivery_handle

        deliver_pending()  # the first fills this process's copies of the registry, calendar and staff
        submit(wujiang_clerk, courts)
        delivery = Delivery.objects.get(state="pending")
        with CaptureQueriesContext(connection) as queries:
            assert delivery_handle(delivery.pk, delivery.kind, delivery.court_id, delivery.payload) is True
        statements = [q["sql"].split(None, 1)[0] for q in queries.captured_queries]
        statements = [verb for verb in statements if verb not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]
        if connection.vendor == "postgresql":
            # The filing moved and read back; the claim, its timeline event and the notice in one round trip.
            assert statements == ["UPDATE", "UPDATE"]
        else:
            assert statements == ["UPDATE", "UPDATE", "INSERT", "INSERT"]  # SQLite: one statement at a time

    def test_the_clock_crosses_national_day(self, submitted, monkeypatch):
        received_at = dt.datetime(2026, 9, 28, 9, 30, tzinfo=COURT_TZ)
        monkeypatch.setattr(svc.timezone, "now", lambda: received_at)
        deliver_pending()
        submitted.refresh_from_db()
        # 09-28 + 7 days = 10-05, inside the holiday (10-01..07): due on the first working day, 10-08.
        assert submitted.decision_due_at == dt.datetime(2026, 10, 8, 23, 59, 59, tzinfo=COURT_TZ)

    def test_a_filing_withdrawn_before_it_arrives_is_not_received(self, submitted, wujiang_clerk):
        svc.filing_withdraw(filing_id=submitted.pk, actor=wujiang_clerk, reason="当事人撤回")
        deliver_pending()
        submitted.refresh_from_db()
        assert submitted.state == "withdrawn"


class TestDecide:
    def test_register_numbers_the_case_and_tells_the_collaborating_court(
        self, received, qingpu_clerk, wujiang_clerk
    ):
        case = svc.filing_register(filing_id=received.pk, actor=qingpu_clerk)
        year = received.received_at.astimezone(COURT_TZ).year
        assert case.number == f"（{year}）沪0118民初1号"
        assert (case.court.code, case.case_type.code, case.sequence) == ("qingpu", "民初", 1)
        assert set(case.parties.values_list("name", flat=True)) == {"张三", "上海青浦某贸易有限公司"}
        received.refresh_from_db()
        assert received.state == "registered" and received.decided_at is not None
        assert Event.objects.for_subject(case).get().action == "case.register"
        deliver_pending()
        notice = Notification.objects.get(recipient=wujiang_clerk)
        assert case.number in notice.title

    def test_numbers_run_on_per_court_type_and_year(self, wujiang_clerk, qingpu_clerk, courts):
        numbers = []
        for category in ["civil_first_instance", "civil_first_instance", "enforcement"]:
            filing, _ = submit(wujiang_clerk, courts, category=category)
            deliver_pending()
            numbers.append(svc.filing_register(filing_id=filing.pk, actor=qingpu_clerk).number)
        assert [n[6:] for n in numbers] == ["沪0118民初1号", "沪0118民初2号", "沪0118执1号"]

    def test_a_second_registration_is_refused_naming_what_is_allowed(self, received, qingpu_clerk):
        svc.filing_register(filing_id=received.pk, actor=qingpu_clerk)
        with pytest.raises(TransitionNotAllowed) as refused:
            svc.filing_register(filing_id=received.pk, actor=qingpu_clerk)
        assert refused.value.allowed == {}
        assert Case.objects.count() == 1

    def test_nothing_is_decided_before_the_filing_arrives(self, submitted, qingpu_clerk):
        with pytest.raises(TransitionNotAllowed) as refused:
            svc.filing_register(filing_id=submitted.pk, actor=qingpu_clerk)
        assert set(refused.value.allowed) == {"received", "withdrawn"}

    def test_only_the_court_with_jurisdiction_decides(
        self, received, wujiang_clerk, wujiang_filing_clerk, jiashan_clerk
    ):
        for actor in (wujiang_clerk, wujiang_filing_clerk, jiashan_clerk):
            with pytest.raises(ActionForbidden):
                svc.filing_register(filing_id=received.pk, actor=actor)
        received.refresh_from_db()
        assert received.state == "received"

    def test_a_tribunal_of_another_court_is_refused(self, received, qingpu_clerk):
        from courts.models import Tribunal

        with pytest.raises(ValidationError):
            svc.filing_register(
                filing_id=received.pk, actor=qingpu_clerk, tribunal=Tribunal.objects.get(code="fenhu")
            )

    def test_refusal_needs_reasons(self, received, qingpu_clerk):
        with pytest.raises(ValidationError):
            svc.filing_refuse(filing_id=received.pk, actor=qingpu_clerk, reason=" ")
        svc.filing_refuse(filing_id=received.pk, actor=qingpu_clerk, reason="不属于本院管辖")
        received.refresh_from_db()
        assert (received.state, received.refusal_reason) == ("refused", "不属于本院管辖")
        assert events(received)[-1] == ("filing.refuse", "received", "refused")

    def test_diversion_needs_the_litigants_consent(self, wujiang_clerk, qingpu_clerk, courts):
        filing, _ = submit(wujiang_clerk, courts, pre_mediation_consent=False)
        deliver_pending()
        with pytest.raises(ValidationError) as refused:
            svc.filing_divert_to_mediation(filing_id=filing.pk, actor=qingpu_clerk)
        assert "pre_mediation_consent" in refused.value.message_dict

    def test_diversion_sets_off_mediation_through_a_delivery(self, received, qingpu_clerk, courts):
        from tests.conftest import make_staff

        judge = make_staff("zhujiajiao.j", "qingpu", ["judge"], "zhujiajiao")
        svc.filing_divert_to_mediation(filing_id=received.pk, actor=qingpu_clerk, note="双方同意调解")
        kinds = set(Delivery.objects.filter(state="pending").values_list("kind", "court__code"))
        assert kinds == {("filing.outcome", "wujiang"), ("filing.diverted_to_mediation", "qingpu")}
        deliver_pending()
        assert Notification.objects.filter(recipient=judge).count() == 1


class TestCorrection:
    def test_correct_once_then_resubmit_restarts_the_clock(self, received, qingpu_clerk, wujiang_clerk):
        deadline = working_day(10)
        svc.filing_request_correction(
            filing_id=received.pk,
            actor=qingpu_clerk,
            items=["补充被告工商登记信息", "起诉状副本2份"],
            deadline=deadline,
        )
        received.refresh_from_db()
        assert received.state == "correction_requested"
        assert received.decision_due_at is None
        assert received.current_deadline().date() == deadline
        svc.filing_resubmit(filing_id=received.pk, actor=wujiang_clerk, materials_added=["工商登记信息"])
        deliver_pending()
        received.refresh_from_db()
        assert received.state == "resubmitted"
        assert received.decision_due_at == svc.compute_deadline(received.received_at, 7, "days").due
        assert "工商登记信息" in received.materials
        # One written request lists everything: there is no second one.
        with pytest.raises(TransitionNotAllowed):
            svc.filing_request_correction(
                filing_id=received.pk, actor=qingpu_clerk, items=["x"], deadline=deadline
            )
        assert svc.filing_register(filing_id=received.pk, actor=qingpu_clerk).number

    @pytest.mark.parametrize(
        ("items", "days", "field"),
        [([], 5, "items"), ([" "], 5, "items"), (["x"], 0, "deadline"), (["x"], 61, "deadline")],
    )
    def test_a_correction_request_needs_items_and_a_sensible_deadline(
        self, received, qingpu_clerk, items, days, field
    ):
        with pytest.raises(ValidationError) as refused:
            svc.filing_request_correction(
                filing_id=received.pk,
                actor=qingpu_clerk,
                items=items,
                deadline=dt.date.today() + dt.timedelta(days=days),
            )
        assert field in refused.value.message_dict

    def test_only_the_filing_window_resubmits(self, received, qingpu_clerk, qingpu_window):
        svc.filing_request_correction(
            filing_id=received.pk,
            actor=qingpu_clerk,
            items=["x"],
            deadline=working_day(3),
        )
        with pytest.raises(ActionForbidden):
            svc.filing_resubmit(filing_id=received.pk, actor=qingpu_window, materials_added=["x"])

    def test_an_uncorrected_filing_is_returned_after_its_deadline(
        self, received, qingpu_clerk, wujiang_clerk, monkeypatch
    ):
        svc.filing_request_correction(
            filing_id=received.pk,
            actor=qingpu_clerk,
            items=["x"],
            deadline=working_day(3),
        )
        deliver_pending()
        assert svc.filings_sweep_deadlines() == {"flagged_overdue": 0, "returned": 0}
        later = working_day(3) + dt.timedelta(days=1)
        monkeypatch.setattr(svc.timezone, "localdate", lambda: later)
        assert svc.filings_sweep_deadlines() == {"flagged_overdue": 0, "returned": 1}
        received.refresh_from_db()
        assert received.state == "returned"
        deliver_pending()
        # Told twice at the window: the correction request, then the return.
        assert (
            Notification.objects.filter(
                recipient=wujiang_clerk, title__contains=received.receipt_number
            ).count()
            == 2
        )
        assert events(received)[-1] == ("filing.return", "correction_requested", "returned")


class TestOverdue:
    def test_a_filing_past_seven_days_is_flagged_once_and_must_be_registered_first(
        self, received, qingpu_clerk
    ):
        Filing.objects.filter(pk=received.pk).update(decision_due_at=dt.datetime(2026, 1, 1, tzinfo=COURT_TZ))
        assert svc.filings_sweep_deadlines()["flagged_overdue"] == 1
        assert svc.filings_sweep_deadlines()["flagged_overdue"] == 0
        received.refresh_from_db()
        assert received.overdue is True
        assert events(received)[-1][0] == "filing.overdue"
        assert Notification.objects.filter(recipient=qingpu_clerk, title__contains="先行立案").count() == 1
        svc.filing_register(filing_id=received.pk, actor=qingpu_clerk)
        received.refresh_from_db()
        assert received.overdue is False


class TestWithdrawAndReissue:
    def test_the_litigant_withdraws_at_the_window(self, received, wujiang_clerk, qingpu_clerk):
        with pytest.raises(ActionForbidden):
            svc.filing_withdraw(filing_id=received.pk, actor=qingpu_clerk)
        svc.filing_withdraw(filing_id=received.pk, actor=wujiang_clerk, reason="已和解")
        received.refresh_from_db()
        assert received.state == "withdrawn"
        deliver_pending()
        assert (
            Notification.objects.filter(
                recipient=qingpu_clerk, title__contains=received.receipt_number
            ).count()
            == 2
        )

    def test_a_reissued_query_code_replaces_the_old_one(self, submitted, wujiang_clerk):
        old_hash = submitted.query_code_hash
        filing, code = svc.filing_reissue_query_code(filing_id=submitted.pk, actor=wujiang_clerk)
        assert filing.query_code_hash != old_hash and query_codes.matches(code, filing.query_code_hash)[0]
        assert events(filing)[-1][0] == "filing.reissue_query_code"


def test_the_15_minute_target_is_measurable(received, qingpu_clerk):
    svc.filing_register(filing_id=received.pk, actor=qingpu_clerk)
    received.refresh_from_db()
    assert received.handoff_minutes() is not None and received.handoff_minutes() >= 0


def test_amounts_are_kept_exactly(wujiang_clerk, courts):
    filing, _ = submit(wujiang_clerk, courts, claim_amount="158000.55")
    assert Filing.objects.get(pk=filing.pk).claim_amount == Decimal("158000.55")


def test_email_copies_of_notices_go_in_one_batch_once(submitted, qingpu_clerk, mailoutbox):
    from courts.notifications import notification_emails_send

    deliver_pending()
    assert mailoutbox == []  # no mail from inside a delivery
    assert notification_emails_send() == 1
    assert mailoutbox[0].to == [qingpu_clerk.email] and submitted.receipt_number in mailoutbox[0].subject
    assert notification_emails_send() == 0  # each notice is emailed once


def test_a_mail_outage_never_undoes_the_delivery(submitted, qingpu_clerk, monkeypatch):
    from courts import notifications

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notifications, "send_mass_mail", broken)
    deliver_pending()
    assert notifications.notification_emails_send() == 0
    submitted.refresh_from_db()
    assert submitted.state == "received"
    assert Notification.objects.filter(recipient=qingpu_clerk).count() == 1


class TestReviewedRules:
    def test_past_the_seven_days_the_court_cannot_send_it_back_for_correction(self, received, qingpu_clerk):
        Filing.objects.filter(pk=received.pk).update(decision_due_at=dt.datetime(2026, 1, 1, tzinfo=COURT_TZ))
        svc.filings_sweep_deadlines()
        with pytest.raises(TransitionNotAllowed) as refused:
            svc.filing_request_correction(
                filing_id=received.pk,
                actor=qingpu_clerk,
                items=["x"],
                deadline=working_day(5),
            )
        assert "correction_requested" not in refused.value.allowed and "registered" in refused.value.allowed

    def test_a_correction_deadline_on_a_rest_day_runs_to_the_next_working_day(self, received, qingpu_clerk):
        from courts.legal_calendar import HolidayCalendar

        day = dt.date.today() + dt.timedelta(days=2)
        while day.weekday() != 5:  # the next Saturday at least two days away
            day += dt.timedelta(days=1)
        svc.filing_request_correction(filing_id=received.pk, actor=qingpu_clerk, items=["x"], deadline=day)
        received.refresh_from_db()
        assert received.correction_deadline > day
        assert not HolidayCalendar().is_rest_day(received.correction_deadline)

    def test_the_first_receipt_is_kept_and_fixes_the_year(self, received, qingpu_clerk, wujiang_clerk):
        first = received.received_at
        svc.filing_request_correction(
            filing_id=received.pk,
            actor=qingpu_clerk,
            items=["x"],
            deadline=working_day(5),
        )
        svc.filing_resubmit(filing_id=received.pk, actor=wujiang_clerk, materials_added=["x"])
        deliver_pending()
        received.refresh_from_db()
        assert received.first_received_at == first and received.received_at > first

    def test_diverting_a_closed_filing_is_a_conflict_even_without_consent(
        self, wujiang_clerk, qingpu_clerk, courts
    ):
        filing, _ = submit(wujiang_clerk, courts, pre_mediation_consent=False)
        deliver_pending()
        svc.filing_refuse(filing_id=filing.pk, actor=qingpu_clerk, reason="不属于本院管辖")
        with pytest.raises(TransitionNotAllowed):
            svc.filing_divert_to_mediation(filing_id=filing.pk, actor=qingpu_clerk)

    def test_a_refused_upload_leaves_no_file_behind(self, received, qingpu_window, settings, tmp_path):
        from django.core.files.uploadedfile import SimpleUploadedFile

        settings.MEDIA_ROOT = tmp_path
        with pytest.raises(ActionForbidden):
            svc.filing_attach(
                filing_id=received.pk,
                actor=qingpu_window,
                upload=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 test", "application/pdf"),
            )
        assert [path for path in tmp_path.rglob("*") if path.is_file()] == []

    def test_who_may_see_a_partys_real_identity(self, received, wujiang_clerk, qingpu_clerk, courts):
        from cases.permissions import may_see_identity
        from tests.conftest import make_staff

        judge = make_staff("qingpu.judge", "qingpu", ["judge"], "zhujiajiao")
        plaintiff = received.parties.get(role="plaintiff")
        assert may_see_identity(wujiang_clerk, plaintiff) and may_see_identity(qingpu_clerk, plaintiff)
        assert not may_see_identity(judge, plaintiff)  # no case yet: nothing for a judge to do
        svc.filing_register(filing_id=received.pk, actor=qingpu_clerk)
        plaintiff.refresh_from_db()
        assert may_see_identity(judge, plaintiff) and may_see_identity(qingpu_clerk, plaintiff)
        assert not may_see_identity(wujiang_clerk, plaintiff)  # the window's part is done


def test_a_delivery_whose_record_is_gone_is_given_up_not_retried(submitted, monkeypatch):
    from courts import tasks

    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(payload={"filing": 999999})
    assert tasks.deliver.apply(args=[delivery.pk]).get() is False
    delivery.refresh_from_db()
    assert delivery.state == "failed" and "DoesNotExist" in delivery.last_error


def test_a_delivery_that_keeps_failing_is_given_up_after_the_limit(submitted, settings, monkeypatch):
    from courts import delivery as delivery_module

    settings.DELIVERY_MAX_ATTEMPTS = 2
    row = Delivery.objects.get()
    assert delivery_module.delivery_record_failure(row.pk, OSError("db gone"), 1) is True
    assert delivery_module.delivery_record_failure(row.pk, OSError("db gone"), 1) is False
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 2)


@pytest.mark.django_db(transaction=True)
def test_a_move_by_compare_and_set_outside_a_transaction_is_refused(wujiang_clerk, courts):
    filing, _code = submit(wujiang_clerk, courts)
    with pytest.raises(RuntimeError):
        move_by_compare_and_set(filing.pk, "received")
    filing.refresh_from_db()
    assert filing.state == "submitted"
    assert not Event.objects.filter(action="filing.receive").exists()
