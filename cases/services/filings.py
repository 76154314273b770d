"""Cross-region filing (跨域立案, DOMAIN.md): every change of a filing's state goes through
`filing_transition`, inside one transaction, with a timeline event; work for the other court is a Delivery
row written in that transaction (courts.delivery).

Who acts:  window clerk of the collaborating court: submit, resubmit, withdraw, reissue the query code;
           filing clerk of the court with jurisdiction: register, request correction, divert, refuse;
           the system: receive (on delivery), return (correction deadline passed), flag overdue.
"""

import datetime as dt
import logging
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases import permissions
from cases.models import (
    CASE_TRANSITIONS,
    FILING_TRANSITIONS,
    FILING_UNDER_REVIEW,
    Case,
    CaseType,
    Filing,
    FilingAttachment,
    FilingCategory,
    Party,
)
from cases.services.case_numbers import case_number_next
from cases.services.parties import PartyInput, clean_parties, party_copies, party_rows
from courts import query_codes
from courts.delivery import delivery_send
from courts.errors import ActionForbidden, TransitionNotAllowed
from courts.legal_calendar import COURT_TZ, compute_deadline, next_working_day
from courts.lookup_guard import lift_locks, locks_of
from courts.messages import Message
from courts.models import Court, Role, Tribunal
from courts.notifications import notifications_settle, notify_court
from courts.rows import lock_row
from courts.selectors import acting_court, court_by_id
from courts.services import sequence_next
from courts.state_machine import transition, transition_if
from courts.timeline import record_event
from courts.uploads import checked_scan, stored_file

logger = logging.getLogger(__name__)

# The decision is due 7 days after the court with jurisdiction receives the filing (CPL 126).
DECISION_PERIOD_DAYS = 7
MAX_CORRECTION_DAYS = 60
MAX_CLAIM_AMOUNT = Decimal("100000000000")  # 1,000亿元: anything larger is a typo
MAX_MATERIALS = 40

# Delivery kinds this module sends (handlers: cases.handlers, mediation.handlers).
SUBMITTED = "filing.submitted"
RESUBMITTED = "filing.resubmitted"
OUTCOME = "filing.outcome"
WITHDRAWN = "filing.withdrawn"
DIVERTED = "filing.diverted_to_mediation"


def filing_transition(filing: Filing, **change) -> Filing:
    """The one way a filing changes state (courts.state_machine); the caller holds lock and transaction."""
    return transition(filing, transitions=FILING_TRANSITIONS, **change)


def _locked(filing_id: int) -> Filing:
    """The filing under a row lock of its own: no join, so PostgreSQL locks no court row with it (every filing
    between two courts would otherwise queue behind every other, and opposite directions could deadlock).
    The courts come from the process's copy of the registry."""
    filing = lock_row(Filing, filing_id)
    filing.collaborating_court = court_by_id(filing.collaborating_court_id)
    filing.jurisdiction_court = court_by_id(filing.jurisdiction_court_id)
    return filing


def _require(allowed: bool) -> None:
    if not allowed:
        raise ActionForbidden()


def _decision_due(start: dt.datetime) -> tuple[dt.datetime, bool]:
    deadline = compute_deadline(start, DECISION_PERIOD_DAYS, "days")
    return deadline.due, deadline.calendar_known


# --- At the collaborating court ---------------------------------------------------------------------------


def filing_submit(
    *,
    actor,
    jurisdiction_court: Court,
    category: str,
    cause: str,
    claim_amount: Decimal | None,
    parties: list[PartyInput],
    materials: list[str],
    e_service_consent: bool,
    pre_mediation_consent: bool,
) -> tuple[Filing, str]:
    """File at this window for another court. Returns the filing and its query code (shown only now)."""
    _require(permissions.may_file(actor))
    court = acting_court(actor)
    if court is None:  # may_file already asks for an acting court
        raise ActionForbidden()
    cause, materials = _clean_filing(
        court=court,
        jurisdiction_court=jurisdiction_court,
        category=category,
        cause=cause,
        claim_amount=claim_amount,
        materials=materials,
        parties=parties,
    )
    query_code = query_codes.new_code()
    query_code_hash = query_codes.hash_code(query_code)
    with transaction.atomic(durable=True):
        filing = _file(
            actor=actor,
            court=court,
            jurisdiction_court=jurisdiction_court,
            fields={
                "category": category,
                "cause": cause,
                "claim_amount": claim_amount,
                "materials": materials,
                "e_service_consent": e_service_consent,
                "pre_mediation_consent": pre_mediation_consent,
                "query_code_hash": query_code_hash,
            },
            party_rows_for=lambda filing: party_rows(parties, filing=filing),
        )
    return filing, query_code


def _file(*, actor, court: Court, jurisdiction_court: Court, fields: dict, party_rows_for, payload=None):
    """Write a filing with its parties, its timeline event and its delivery to the court with jurisdiction
    (in the caller's transaction): the one way a filing comes to exist, at a window or by referral."""
    now = timezone.now()
    day = now.astimezone(COURT_TZ).date()
    receipt_sequence = sequence_next(f"receipt:{court.code}:{day.isoformat()}")
    filing = Filing.objects.create(
        receipt_number=f"KY{court.region_code}-{day:%Y%m%d}-{receipt_sequence:04d}",
        collaborating_court=court,
        jurisdiction_court=jurisdiction_court,
        submitted_at=now,
        submitted_by=actor,
        **fields,
    )
    Party.objects.bulk_create(party_rows_for(filing))
    record_event(
        subject=filing,
        action="filing.submit",
        actor=actor,
        to_state=Filing.State.SUBMITTED,
        payload={
            "receipt_number": filing.receipt_number,
            "jurisdiction_court": jurisdiction_court.code,
            **(payload or {}),
        },
    )
    delivery_send(court=jurisdiction_court, kind=SUBMITTED, payload={"filing": filing.pk})
    return filing


def filing_refer(
    *,
    actor,
    court: Court,
    jurisdiction_court: Court,
    category: str,
    cause: str,
    claim_amount: Decimal | None,
    parties: list,
    materials: list[str],
    e_service_consent: bool,
    query_code_hash: str,
    origin: dict,
    attachments: Sequence[FilingAttachment] = (),
) -> Filing:
    """A filing made by a court itself rather than at its window: a failed mediation turned into a suit, or
    a confirmed ruling turned into an enforcement application. `court` is where it starts (the lead
    tribunal's court, the confirming court) and may be the court with jurisdiction itself, which then finds
    it in its own inbox; it runs the same flow as any filing. The parties are copied as they are (sealed,
    never retyped), the litigant keeps the query code they already hold (`query_code_hash`), the scans
    already stored are attached again (the same files), and `origin` goes into the timeline (what it came
    from). Call inside the caller's transaction; the caller has checked who may refer it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("filing_refer runs inside the transaction of the change that refers it")
    if not jurisdiction_court.is_active:
        raise ValidationError({"jurisdiction_court": [_("That court does not take filings in this system.")]})
    filing = _file(
        actor=actor,
        court=court,
        jurisdiction_court=jurisdiction_court,
        fields={
            "category": category,
            "cause": cause,
            "claim_amount": claim_amount,
            "materials": materials,
            "e_service_consent": e_service_consent,
            "pre_mediation_consent": False,  # referred after mediation, or to enforce its result
            "query_code_hash": query_code_hash,
        },
        party_rows_for=lambda filing: party_copies(parties, filing=filing),
        payload={"referred": True, **origin},
    )
    FilingAttachment.objects.bulk_create(
        [
            FilingAttachment(
                filing=filing,
                file=scan.file.name,
                original_name=scan.original_name,
                content_type=scan.content_type,
                size=scan.size,
                sha256=scan.sha256,
                page_count=scan.page_count,
                uploaded_by=scan.uploaded_by,
                uploaded_at=scan.uploaded_at,
            )
            for scan in attachments
        ]
    )
    return filing


def _clean_filing(*, court, jurisdiction_court, category, cause, claim_amount, materials, parties):
    """All field errors of a new filing at once (ValidationError); returns the cleaned cause and materials."""
    errors: dict[str, list[str]] = {}
    if jurisdiction_court.pk == court.pk:
        errors["jurisdiction_court"] = [_("A cross-region filing goes to another court than this one.")]
    elif not jurisdiction_court.is_active:
        errors["jurisdiction_court"] = [_("That court does not take filings in this system.")]
    if category not in FilingCategory.values:
        errors["category"] = [_("Choose civil first instance or enforcement.")]
    cause = (cause or "").strip()
    if not cause:
        errors["cause"] = [_("Enter the cause of action.")]
    elif len(cause) > 100:
        errors["cause"] = [_("At most 100 characters.")]
    if claim_amount is not None and not (Decimal("0") < claim_amount <= MAX_CLAIM_AMOUNT):
        errors["claim_amount"] = [_("The amount must be above 0 and at most 100,000,000,000 yuan.")]
    materials = [item.strip() for item in materials]
    if not materials:
        errors["materials"] = [_("Tick at least the materials received.")]
    elif any(not item for item in materials):
        errors["materials"] = [_("A checklist item cannot be empty.")]
    elif len(materials) > MAX_MATERIALS or any(len(item) > 100 for item in materials):
        errors["materials"] = [_("At most 40 items of at most 100 characters each.")]
    errors.update(clean_parties(parties))
    if errors:
        raise ValidationError(errors)
    return cause, materials


def filing_resubmit(*, filing_id: int, actor, materials_added: list[str], note: str = "") -> Filing:
    materials_added = [item.strip() for item in materials_added if item.strip()]
    if not materials_added:
        raise ValidationError({"materials": [_("List the materials the litigant brought.")]})
    with transaction.atomic(durable=True):
        filing = _locked(filing_id)
        _require(permissions.may_act_for_litigant(actor, filing))
        filing.materials = [*filing.materials, *materials_added]
        filing.resubmitted_at = timezone.now()
        filing_transition(
            filing,
            to_state=Filing.State.RESUBMITTED,
            action="filing.resubmit",
            actor=actor,
            reason=note,
            payload={"materials_added": materials_added},
            update_fields=("materials", "resubmitted_at"),
        )
        delivery_send(court=filing.jurisdiction_court, kind=RESUBMITTED, payload={"filing": filing.pk})
    return filing


def filing_withdraw(*, filing_id: int, actor, reason: str = "") -> Filing:
    with transaction.atomic(durable=True):
        filing = _locked(filing_id)
        _require(permissions.may_act_for_litigant(actor, filing))
        filing_transition(
            filing,
            to_state=Filing.State.WITHDRAWN,
            action="filing.withdraw",
            actor=actor,
            reason=reason.strip(),
        )
        delivery_send(court=filing.jurisdiction_court, kind=WITHDRAWN, payload={"filing": filing.pk})
    return filing


def filing_reissue_query_code(*, filing_id: int, actor) -> tuple[Filing, str]:
    """A new query code for a litigant who lost theirs; the old one stops working. The clerk has checked
    the litigant's identity at the window."""
    query_code = query_codes.new_code()
    query_code_hash = query_codes.hash_code(query_code)
    with transaction.atomic(durable=True):
        filing = _locked(filing_id)
        _require(permissions.may_act_for_litigant(actor, filing))
        filing.query_code_hash = query_code_hash
        filing.save(update_fields=["query_code_hash", "updated_at"])
        Case.objects.filter(origin_filing=filing).update(query_code_hash=filing.query_code_hash)
        record_event(
            subject=filing,
            action="filing.reissue_query_code",
            actor=actor,
            from_state=filing.state,
            to_state=filing.state,
        )
    # The litigant's identity was checked: a number locked by wrong tries opens for the new code.
    lift_locks(lookup_numbers(filing))
    return filing, query_code


def lookup_numbers(filing: Filing) -> list[str]:
    """The numbers a litigant may look this filing up by: its receipt number, and its case's number."""
    case = Case.objects.filter(origin_filing=filing).values_list("number", flat=True).first()
    return [filing.receipt_number, *([case] if case else [])]


def filing_lookup_locks(filing: Filing) -> dict[str, int]:
    """Which of the filing's numbers are locked against status lookups, and for how many more minutes."""
    return locks_of(lookup_numbers(filing))


def filing_lift_lookup_lock(*, filing_id: int, actor) -> list[str]:
    """The window clerk checked the litigant's identity: the filing's numbers open again for lookups
    (issue 9). Logged on the filing's timeline; returns the numbers that were locked."""
    with transaction.atomic(durable=True):
        filing = _locked(filing_id)
        _require(permissions.may_act_for_litigant(actor, filing))
        lifted = lift_locks(lookup_numbers(filing))
        record_event(
            subject=filing,
            action="filing.lift_lookup_lock",
            actor=actor,
            from_state=filing.state,
            to_state=filing.state,
            payload={"numbers": lifted},
        )
    return lifted


def filing_attach(*, filing_id: int, actor, upload) -> FilingAttachment:
    checked = checked_scan(upload)
    attachment = FilingAttachment(
        original_name=(upload.name or "scan")[-200:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        page_count=checked.page_count,
        uploaded_by=actor,
    )
    # The file is written first, outside the transaction; if the transaction then fails it is removed, so no
    # row ever points at a missing file and no file outlives a refused upload.
    with stored_file(attachment.file, upload), transaction.atomic(durable=True):
        filing = _locked(filing_id)
        _require(permissions.may_attach(actor, filing))
        attachment.filing = filing
        attachment.save()
        record_event(
            subject=filing,
            action="filing.attach",
            actor=actor,
            from_state=filing.state,
            to_state=filing.state,
            payload={
                "attachment": attachment.pk,
                "name": attachment.original_name,
                "sha256": checked.sha256,
            },
        )
    return attachment


# --- At the court with jurisdiction -----------------------------------------------------------------------


def _decision_clock(received_at: dt.datetime, first_received_at: dt.datetime | None) -> dict:
    """Received now: the 7 days run from here (CPL 126), again after a correction (Interp 126)."""
    due, calendar_known = _decision_due(received_at)
    return {
        "received_at": received_at,
        "first_received_at": first_received_at or received_at,
        "decision_due_at": due,
        "decision_due_calendar_known": calendar_known,
        "overdue": False,
    }


def filing_receive(*, filing_id: int, court: Court) -> Filing | None:
    """The filing has reached `court`, the court with jurisdiction (run by the delivery, inside its
    transaction): received if still submitted, its clock starting now. None if the litigant withdrew it
    before it arrived. One statement moves and reads it (courts.state_machine.transition_if)."""
    clock = _decision_clock(timezone.now(), None)  # a submitted filing has never been received
    filing = transition_if(
        Filing,
        filing_id,
        transitions=FILING_TRANSITIONS,
        from_state=Filing.State.SUBMITTED,
        to_state=Filing.State.RECEIVED,
        changes=clock,
        action="filing.receive",
        actor_court=court,
        payload={"decision_due_at": clock["decision_due_at"].isoformat()},
    )
    if filing is not None:
        if filing.jurisdiction_court_id != court.pk:
            # Checked after the write, which the error rolls back with the whole delivery.
            raise ValueError(
                f"filing {filing_id} belongs to court {filing.jurisdiction_court_id}, not {court}"
            )
        filing.collaborating_court = court_by_id(filing.collaborating_court_id)
        filing.jurisdiction_court = court
    return filing


def filing_receive_resubmission(*, filing_id: int) -> Filing | None:
    """A corrected filing has arrived: the 7 days start again from now."""
    filing = _locked(filing_id)
    if filing.state != Filing.State.RESUBMITTED:
        return None
    clock = _decision_clock(timezone.now(), filing.first_received_at)
    for name, value in clock.items():
        setattr(filing, name, value)
    filing.save(update_fields=[*clock, "updated_at"])
    assert filing.decision_due_at is not None  # just set from the clock
    record_event(
        subject=filing,
        action="filing.receive_resubmission",
        actor_court=filing.jurisdiction_court,
        from_state=filing.state,
        to_state=filing.state,
        payload={"decision_due_at": filing.decision_due_at.isoformat()},
    )
    return filing


def _decide(
    filing: Filing,
    actor,
    *,
    to_state: str,
    action: str,
    reason: str = "",
    payload=None,
    update_fields: tuple[str, ...] = (),
) -> Filing:
    """A decision by the court with jurisdiction; the collaborating court is told, to tell the litigant."""
    now = timezone.now()
    first_decision = filing.decided_at is None
    if first_decision:
        filing.decided_at = now  # the zone's 15-minute target runs from submission to the first decision
    filing.decided_by = actor
    filing.overdue = False
    filing_transition(
        filing,
        to_state=to_state,
        action=action,
        actor=actor,
        reason=reason,
        payload=payload,
        update_fields=("decided_at", "decided_by", "overdue", *update_fields),
    )
    delivery_send(
        court=filing.collaborating_court, kind=OUTCOME, payload={"filing": filing.pk, "state": to_state}
    )
    # Decided: the notices that told this court's clerks it had arrived are read.
    notifications_settle(url=f"/filings/{filing.pk}/", court=filing.jurisdiction_court)
    return filing


def filing_register(*, filing_id: int, actor, tribunal: Tribunal | None = None) -> Case:
    """Register the case (立案): it gets its number, and the filing's parties become the case's."""
    with transaction.atomic(durable=True):
        filing = _locked(filing_id)
        _require(permissions.may_decide(actor, filing))
        if tribunal is not None and tribunal.court_id != filing.jurisdiction_court_id:
            raise ValidationError(
                {"tribunal": [_("The tribunal must belong to the court with jurisdiction.")]}
            )
        # The transition is checked (and may refuse) before a number is drawn.
        _decide(filing, actor, to_state=Filing.State.REGISTERED, action="filing.register")
        case_type = CaseType.objects.get(filing_category=filing.category)
        # The year of receipt: the first time the court with jurisdiction received the filing.
        year = (filing.first_received_at or filing.submitted_at).astimezone(COURT_TZ).year
        sequence, number = case_number_next(court=filing.jurisdiction_court, case_type=case_type, year=year)
        case = Case.objects.create(
            number=number,
            court=filing.jurisdiction_court,
            tribunal=tribunal,
            case_type=case_type,
            year=year,
            sequence=sequence,
            cause=filing.cause,
            claim_amount=filing.claim_amount,
            query_code_hash=filing.query_code_hash,
            origin_filing=filing,
            registered_by=actor,
        )
        Party.objects.filter(filing=filing).update(case=case)
        record_event(
            subject=case,
            action="case.register",
            actor=actor,
            to_state=Case.State.REGISTERED,
            payload={"case_number": number, "filing": filing.pk},
        )
    return case


def filing_request_correction(*, filing_id: int, actor, items: list[str], deadline: dt.date) -> Filing:
    """Ask once, in writing, for every missing item, with a deadline (一次性书面告知补正)."""
    items = [item.strip() for item in items]
    errors = {}
    if not items or any(not item for item in items):
        errors["items"] = [_("List every item to correct; none may be empty.")]
    elif len(items) > MAX_MATERIALS or any(len(item) > 200 for item in items):
        errors["items"] = [_("At most 40 items of at most 200 characters each.")]
    today = timezone.localdate()
    if deadline <= today:
        errors["deadline"] = [_("The deadline must be after today.")]
    elif deadline > today + dt.timedelta(days=MAX_CORRECTION_DAYS):
        errors["deadline"] = [_("The deadline may be at most 60 days away.")]
    if errors:
        raise ValidationError(errors)
    # A deadline on a rest day runs to the next working day (CPL 85), so that is the date the litigant gets.
    deadline = next_working_day(deadline)
    with transaction.atomic(durable=True):
        filing = _locked(filing_id)
        _require(permissions.may_decide(actor, filing))
        if filing.overdue:
            # Past the 7 days the court may no longer send the filing back: it must register first (CPL 126).
            raise TransitionNotAllowed(
                current=filing.state,
                current_label=_("overdue: register first"),
                target_label=str(Filing.State.CORRECTION_REQUESTED.label),
                allowed={
                    state: str(Filing.State(state).label)
                    for state in FILING_TRANSITIONS[filing.state]
                    if state != Filing.State.CORRECTION_REQUESTED
                },
            )
        filing.correction_items = items
        filing.correction_deadline = deadline
        filing.correction_requested_at = timezone.now()
        filing.decision_due_at = None  # the 7 days start again when the corrected filing arrives
        return _decide(
            filing,
            actor,
            to_state=Filing.State.CORRECTION_REQUESTED,
            action="filing.request_correction",
            payload={"items": items, "deadline": deadline.isoformat()},
            update_fields=(
                "correction_items",
                "correction_deadline",
                "correction_requested_at",
                "decision_due_at",
            ),
        )


def filing_divert_to_mediation(*, filing_id: int, actor, note: str = "") -> Filing:
    with transaction.atomic(durable=True):
        filing = _locked(filing_id)
        _require(permissions.may_decide(actor, filing))
        consented = filing.pre_mediation_consent
        _decide(
            filing,
            actor,
            to_state=Filing.State.DIVERTED_TO_MEDIATION,
            action="filing.divert_to_mediation",
            reason=note.strip(),
        )
        if not consented:  # checked after the state (a closed filing is a 409); rolls the decision back
            raise ValidationError(
                {"pre_mediation_consent": [_("The litigant did not consent to pre-filing mediation.")]}
            )
        # The mediation app takes it from here, through the handler it registers for this kind.
        delivery_send(court=filing.jurisdiction_court, kind=DIVERTED, payload={"filing": filing.pk})
    return filing


def filing_refuse(*, filing_id: int, actor, reason: str) -> Filing:
    """Not accepted, by a written ruling with reasons (裁定不予受理), which the litigant may appeal."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("A refusal needs its reasons.")]})
    if len(reason) > 4000:
        raise ValidationError({"reason": [_("At most 4000 characters.")]})
    with transaction.atomic(durable=True):
        filing = _locked(filing_id)
        _require(permissions.may_decide(actor, filing))
        filing.refusal_reason = reason
        return _decide(
            filing,
            actor,
            to_state=Filing.State.REFUSED,
            action="filing.refuse",
            reason=reason,
            update_fields=("refusal_reason",),
        )


# --- The system's own moves (periodic) --------------------------------------------------------------------


def filing_return_uncorrected(*, filing_id: int) -> Filing | None:
    """No correction by the deadline: the filing is returned (DOMAIN.md, deadlines)."""
    with transaction.atomic(durable=True):
        filing = _locked(filing_id)
        if filing.state != Filing.State.CORRECTION_REQUESTED:
            return None
        # Requesting a correction sets its deadline (filing_request_correction).
        assert filing.correction_deadline is not None
        if filing.correction_deadline >= timezone.localdate():
            return None
        filing_transition(
            filing,
            to_state=Filing.State.RETURNED,
            action="filing.return",
            actor_court=filing.jurisdiction_court,
            reason=Message(
                gettext_noop("Not corrected by %(date)s."), date=filing.correction_deadline.isoformat()
            ),
        )
        delivery_send(
            court=filing.collaborating_court,
            kind=OUTCOME,
            payload={"filing": filing.pk, "state": Filing.State.RETURNED},
        )
    return filing


def filing_flag_overdue(*, filing_id: int) -> Filing | None:
    """Past the 7 days: the court must register first (先行立案). Flagged once, with an event and a notice."""
    with transaction.atomic(durable=True):
        filing = _locked(filing_id)
        if filing.overdue or filing.state not in FILING_UNDER_REVIEW:
            return None
        # Receiving a filing (again, after a correction) starts its decision clock (_decision_clock).
        assert filing.decision_due_at is not None
        if filing.decision_due_at > timezone.now():
            return None
        filing.overdue = True
        filing.save(update_fields=["overdue", "updated_at"])
        record_event(
            subject=filing,
            action="filing.overdue",
            actor_court=filing.jurisdiction_court,
            from_state=filing.state,
            to_state=filing.state,
        )
        notify_court(
            court=filing.jurisdiction_court,
            role=Role.FILING_CLERK,
            title=Message(
                gettext_noop("Overdue: %(receipt)s must be registered first (先行立案)"),
                receipt=filing.receipt_number,
            ),
            url=f"/filings/{filing.pk}/",
        )
    return filing


def filings_sweep_deadlines() -> dict[str, int]:
    """The periodic pass: flag filings past their decision date, return those never corrected."""
    now = timezone.now()
    overdue_ids = Filing.objects.filter(state__in=FILING_UNDER_REVIEW, overdue=False, decision_due_at__lt=now)
    lapsed_ids = Filing.objects.filter(
        state=Filing.State.CORRECTION_REQUESTED, correction_deadline__lt=timezone.localdate()
    )
    flagged = sum(1 for pk in overdue_ids.values_list("pk", flat=True) if filing_flag_overdue(filing_id=pk))
    returned = sum(
        1 for pk in lapsed_ids.values_list("pk", flat=True) if filing_return_uncorrected(filing_id=pk)
    )
    return {"flagged_overdue": flagged, "returned": returned}


# --- Cases --------------------------------------------------------------------------------------------------


def case_close(*, case_id: int, actor, action: str, reason: str = "", payload: dict | None = None) -> Case:
    """Close a case, in the caller's transaction (the flow that decides it calls this: a 民特 case closes with
    its confirmation ruling). `action` names what closed it on the case's timeline."""
    case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
    case.closed_at = timezone.now()
    return transition(
        case,
        transitions=CASE_TRANSITIONS,
        to_state=Case.State.CLOSED,
        action=action,
        actor=actor,
        reason=reason,
        payload=payload,
        update_fields=("closed_at",),
    )
