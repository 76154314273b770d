"""Judicial confirmation (司法确认) of a mediation agreement. Every change goes through
`confirmation_transition`, in one transaction, with a timeline event; the court applied to hears of an
application, and the mediation's courts of every step after, by delivery.

- The parties apply together within 30 days of the agreement taking effect (CPL 205, counted under CPL 85:
  the day it takes effect is not counted, a last day on a rest day moves to the next working day).
- Only a competent court may be chosen (`competent_courts`, CPL 205): when a court invited the mediation
  (a filing it diverted, or a case of its own), that court; otherwise the basic court of a party's
  domicile, of the property in dispute, or of a mediator's seat (the tribunals that mediated).
- The court registers it as a 民特 case and decides within 30 days of registration (CPL 187; 15 days as the
  internal target): confirmed (valid and enforceable, CPL 206), rejected (Interp 358), not accepted
  (Interp 355), or withdrawn by the applicants.
- A confirmed ruling can start an enforcement filing (执) at that court with one action.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases.models import Case, CaseType, FilingCategory, Party
from cases.services.case_numbers import case_number_next
from cases.services.filings import MAX_MATERIALS, case_close, filing_refer
from cases.services.parties import party_copies
from courts.delivery import delivery_send
from courts.legal_calendar import COURT_TZ, compute_deadline
from courts.messages import Message
from courts.models import Court
from courts.notifications import notifications_settle
from courts.selectors import acting_court, court_by_id
from courts.state_machine import transition
from courts.text import join_list
from courts.timeline import record_event
from mediation import permissions
from mediation.models import (
    CONFIRMATION_TRANSITIONS,
    Agreement,
    Confirmation,
    Invitation,
    Mediation,
    MediationParty,
)
from mediation.services.mediations import clean_reason, require

APPLICATION_PERIOD_DAYS = 30  # CPL 205
DECISION_PERIOD_DAYS = 30  # CPL 187
TARGET_DAYS = 15  # the courts' internal target
MAX_SUPPLEMENT_DAYS = 30
CONFIRMATION_TYPE_CODE = "民特"

# Delivery kinds (handlers: mediation.handlers).
APPLIED = "confirmation.applied"
CHANGED = "confirmation.changed"


def confirmation_transition(confirmation: Confirmation, **change) -> Confirmation:
    return transition(confirmation, transitions=CONFIRMATION_TRANSITIONS, **change)


def _locked(confirmation_id: int) -> Confirmation:
    confirmation = (
        Confirmation.objects.select_for_update(of=("self",))
        .select_related("mediation", "agreement")
        .get(pk=confirmation_id)
    )
    confirmation.court = court_by_id(confirmation.court_id)
    return confirmation


# --- Which court, and by when --------------------------------------------------------------------------


def application_period(agreement: Agreement):
    """The period to apply: 30 days from the day the agreement takes effect (that day not counted), moved
    past a rest day (CPL 85); a Deadline, which says whether that year's official calendar is known."""
    start = dt.datetime.combine(agreement.effective_on, dt.time(12), tzinfo=COURT_TZ)
    return compute_deadline(start, APPLICATION_PERIOD_DAYS, "days")


def application_deadline(agreement: Agreement) -> dt.date:
    """The last day to apply (application_period's date)."""
    return application_period(agreement).due_date


# 江苏省苏州市吴江区人民法院 -> 吴江区: the district a basic-level court serves, as addresses write it.
_DISTRICT = re.compile(r"([^省市区县]{2,6}?[区县市])人民法院$")


def place_names(court: Court) -> list[str]:
    """How an address names the court's district, with its 区/县 (吴江区, 嘉善县): a street named after a
    place ("上海市静安区吴江路") does not count. Read from the registry's names, so a fourth court needs no
    code."""
    match = _DISTRICT.search(court.name_zh)
    return [match.group(1)] if match else []


def domicile_courts(parties, courts: list[Court]) -> set[int]:
    """The zone's courts whose district a party's address names (their domicile as the mediation recorded
    it; an address outside the zone names none)."""
    found = set()
    for party in parties:
        for court in courts:
            if any(name in (party.address or "") for name in place_names(court)):
                found.add(court.pk)
    return found


def competent_courts(mediation: Mediation) -> list[Court]:
    """The courts the parties may apply to (CPL 205). Every mediation here is led by a court's tribunal;
    it was *invited by a court* when that court referred the dispute to it (a filing it diverted to
    mediation, a case of its own), and then that court alone is competent. A mediation the tribunals took up
    themselves may go to the court of a party's domicile, of the property, or of a mediator's seat."""
    # A mediation from a filing or a case keeps it (set with `origin`, protected from deletion).
    if mediation.origin == Mediation.Origin.FILING:
        assert mediation.origin_filing is not None
        return [court_by_id(mediation.origin_filing.jurisdiction_court_id)]
    if mediation.origin == Mediation.Origin.CASE:
        assert mediation.origin_case is not None
        return [court_by_id(mediation.origin_case.court_id)]
    courts = list(Court.objects.filter(is_active=True).order_by("id"))
    ids = {mediation.lead_court_id}
    ids |= set(
        Invitation.objects.filter(mediation=mediation, state=Invitation.State.ACCEPTED).values_list(
            "court_id", flat=True
        )
    )
    if mediation.property_court_id:
        ids.add(mediation.property_court_id)
    ids |= domicile_courts(MediationParty.objects.filter(mediation=mediation), courts)
    return [court for court in courts if court.pk in ids]


def _names(courts: list[Court]) -> str:
    return join_list(court.name for court in courts)


# --- Applying ------------------------------------------------------------------------------------------


def confirmation_apply(*, mediation_id: int, actor, court: Court, applicants: list[int]) -> Confirmation:
    """The parties' joint application (CPL 205): all of them, to a competent court, in time."""
    with transaction.atomic(durable=True):
        mediation = (
            Mediation.objects.select_for_update(of=("self",))
            .select_related("origin_filing", "origin_case")
            .get(pk=mediation_id)
        )
        require(permissions.may_apply(actor, mediation, court))
        errors: dict[str, list[str]] = {}
        agreement = Agreement.objects.filter(mediation=mediation, state=Agreement.State.IN_FORCE).first()
        if mediation.state != Mediation.State.AGREED or agreement is None:
            raise ValidationError(
                {"mediation": [_("Only an agreed mediation's agreement can be confirmed.")]}
            )
        if Confirmation.objects.filter(
            mediation=mediation, state__in=("applied", "supplement_requested", "registered", "confirmed")
        ).exists():
            raise ValidationError({"mediation": [_("The parties have already applied for confirmation.")]})
        parties = {party.pk: party for party in MediationParty.objects.filter(mediation=mediation)}
        chosen = set(applicants)
        if chosen - set(parties):
            errors["applicants"] = [_("Only parties of this mediation can apply.")]
        elif chosen != set(parties):
            missing = [party.name for pk, party in parties.items() if pk not in chosen]
            errors["applicants"] = [
                _("All parties must apply together (CPL 205); missing: %(names)s.")
                % {"names": join_list(missing)}
            ]
        today = timezone.localdate()
        if today < agreement.effective_on:
            errors["mediation"] = [
                _("The agreement takes effect on %(date)s: the parties may apply from that day.")
                % {"date": agreement.effective_on.isoformat()}
            ]
        if Confirmation.objects.filter(agreement=agreement, state=Confirmation.State.REJECTED).exists():
            # A rejected party may change the agreement, reach a new one, or sue (CPL 206); the same agreement
            # does not come back.
            errors["mediation"] = [
                _(
                    "The court rejected the confirmation of this agreement: the parties may reach a new "
                    "agreement (replace it) or sue."
                )
            ]
        period = application_period(agreement)
        lapsed_on = period.due_date
        # Without that year's official calendar the last day may be later than computed (a holiday would
        # move it): the application is not refused on a date the system cannot be sure of.
        if today > lapsed_on and period.calendar_known:
            errors["mediation"] = [
                _(
                    "The 30 days to apply (CPL 205) ran out on %(date)s: "
                    "the agreement took effect on %(effective)s."
                )
                % {"date": lapsed_on.isoformat(), "effective": agreement.effective_on.isoformat()}
            ]
        competent = competent_courts(mediation)
        if court.pk not in {c.pk for c in competent}:
            errors["court"] = [
                _("%(court)s is not competent to confirm this agreement; apply to: %(courts)s.")
                % {"court": court.name, "courts": _names(competent)}
            ]
        if errors:
            raise ValidationError(errors)
        confirmation = Confirmation.objects.create(
            mediation=mediation,
            agreement=agreement,
            court=court,
            competent_courts=[c.code for c in competent],
            applied_by=actor,
        )
        confirmation.applicants.set([parties[pk] for pk in sorted(chosen)])
        record_event(
            subject=confirmation,
            action="confirmation.apply",
            actor=actor,
            to_state=confirmation.state,
            payload={
                "mediation": mediation.pk,
                "court": court.code,
                "agreement": agreement.pk,
                "apply_by": lapsed_on.isoformat(),
            },
        )
        delivery_send(court=court, kind=APPLIED, payload={"confirmation": confirmation.pk})
        # The mediation's other courts (their mediators) hear that the parties applied, and where.
        _tell_mediation_courts(confirmation, actor=actor, skip={court.pk})
    return confirmation


def _tell_mediation_courts(confirmation: Confirmation, *, actor, skip=frozenset()) -> None:
    """The mediation's courts (its mediators) hear of each step, but the acting court and those in `skip`."""
    mediation = confirmation.mediation
    courts = {mediation.lead_court_id}
    courts |= set(
        Invitation.objects.filter(mediation=mediation, state=Invitation.State.ACCEPTED).values_list(
            "court_id", flat=True
        )
    )
    acting = acting_court(actor)
    for court_id in sorted(courts - set(skip)):
        if acting is None or court_id != acting.pk:
            delivery_send(
                court=court_by_id(court_id),
                kind=CHANGED,
                payload={"confirmation": confirmation.pk, "state": confirmation.state},
            )


# --- At the court applied to ------------------------------------------------------------------------------


def confirmation_request_supplement(*, confirmation_id: int, actor, items: list[str], deadline: dt.date):
    """Ask the applicants for what is missing or unclear, with a deadline (Interp 356)."""
    items = [item.strip() for item in items if item.strip()]
    errors = {}
    if not items:
        errors["items"] = [_("List what the applicants must supplement.")]
    elif len(items) > MAX_MATERIALS or any(len(item) > 200 for item in items):
        errors["items"] = [_("At most 40 items of at most 200 characters each.")]
    today = timezone.localdate()
    if deadline <= today:
        errors["deadline"] = [_("The deadline must be after today.")]
    elif deadline > today + dt.timedelta(days=MAX_SUPPLEMENT_DAYS):
        errors["deadline"] = [_("The deadline may be at most 30 days away.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        confirmation = _locked(confirmation_id)
        require(permissions.may_register(actor, confirmation))
        confirmation.supplement_items, confirmation.supplement_deadline = items, deadline
        confirmation_transition(
            confirmation,
            to_state=Confirmation.State.SUPPLEMENT_REQUESTED,
            action="confirmation.request_supplement",
            actor=actor,
            payload={"items": items, "deadline": deadline.isoformat()},
            update_fields=("supplement_items", "supplement_deadline"),
        )
        _tell_mediation_courts(confirmation, actor=actor)
    return confirmation


def confirmation_register(*, confirmation_id: int, actor) -> Confirmation:
    """Registered as a 民特 case at the court applied to: the number, the parties (copied), and the 30 days to
    decide (CPL 187) with the 15-day target beside them. The litigants keep the mediation's query code."""
    with transaction.atomic(durable=True):
        confirmation = _locked(confirmation_id)
        require(permissions.may_register(actor, confirmation))
        now = timezone.now()
        confirmation.registered_at = now
        due = compute_deadline(now, DECISION_PERIOD_DAYS, "days")
        confirmation.decision_due_at, confirmation.decision_due_calendar_known = due.due, due.calendar_known
        confirmation.target_due_at = compute_deadline(now, TARGET_DAYS, "days").due
        # The transition is checked (and may refuse) before a number is drawn.
        confirmation_transition(
            confirmation,
            to_state=Confirmation.State.REGISTERED,
            action="confirmation.register",
            actor=actor,
            payload={"decision_due_at": due.due.isoformat()},
            update_fields=(
                "registered_at",
                "decision_due_at",
                "decision_due_calendar_known",
                "target_due_at",
            ),
        )
        mediation = confirmation.mediation
        case_type = CaseType.objects.get(code=CONFIRMATION_TYPE_CODE)
        year = now.astimezone(COURT_TZ).year
        sequence, number = case_number_next(court=confirmation.court, case_type=case_type, year=year)
        case = Case.objects.create(
            number=number,
            court=confirmation.court,
            case_type=case_type,
            year=year,
            sequence=sequence,
            cause="申请司法确认调解协议",  # the case record's cause, as the court writes it
            claim_amount=confirmation.agreement.amount,
            procedure="special",
            query_code_hash=mediation.query_code_hash,
            registered_by=actor,
            registered_at=now,
        )
        Party.objects.bulk_create(party_copies(confirmation.applicants.order_by("position", "id"), case=case))
        confirmation.case = case
        confirmation.save(update_fields=["case", "updated_at"])
        record_event(
            subject=case,
            action="case.register",
            actor=actor,
            to_state=Case.State.REGISTERED,
            payload={"case_number": number, "confirmation": confirmation.pk, "mediation": mediation.pk},
        )
        _tell_mediation_courts(confirmation, actor=actor)
    return confirmation


def _decide(
    confirmation_id: int, actor, *, to_state: str, action: str, grounds: str = "", permitted
) -> Confirmation:
    with transaction.atomic(durable=True):
        confirmation = _locked(confirmation_id)
        require(permitted(actor, confirmation))
        confirmation.decided_at, confirmation.decided_by = timezone.now(), actor
        confirmation.grounds = grounds
        confirmation.overdue = False
        confirmation_transition(
            confirmation,
            to_state=to_state,
            action=action,
            actor=actor,
            reason=grounds,
            update_fields=("decided_at", "decided_by", "grounds", "overdue"),
        )
        if confirmation.case_id:
            # The 民特 case ends with the ruling, or with the withdrawal the court allows (Interp 357).
            notifications_settle(url=f"/confirmations/{confirmation.pk}/", court=confirmation.court)
            case_close(
                case_id=confirmation.case_id,
                actor=actor,
                action="case.close",
                reason=grounds,
                payload={"confirmation": confirmation.pk, "outcome": to_state},
            )
        _tell_mediation_courts(confirmation, actor=actor)
    return confirmation


def confirmation_confirm(*, confirmation_id: int, actor) -> Confirmation:
    """The ruling: the agreement is valid, and if a party does not perform it the other may apply for
    enforcement (CPL 206)."""
    return _decide(
        confirmation_id,
        actor,
        to_state=Confirmation.State.CONFIRMED,
        action="confirmation.confirm",
        permitted=permissions.may_decide,
    )


def confirmation_reject(*, confirmation_id: int, actor, grounds: str) -> Confirmation:
    """Rejected (驳回申请, Interp 358): against mandatory law, harming the state, the public or a third party,
    against public order, not voluntary, terms unclear, or otherwise unfit. The parties may mediate again
    or sue."""
    return _decide(
        confirmation_id,
        actor,
        to_state=Confirmation.State.REJECTED,
        action="confirmation.reject",
        grounds=clean_reason(grounds, field_name="grounds"),
        permitted=permissions.may_decide,
    )


def confirmation_not_accept(*, confirmation_id: int, actor, grounds: str) -> Confirmation:
    """Not accepted (不予受理, Interp 355): outside the courts' remit or this court's jurisdiction, personal
    status, another special procedure, public summons or bankruptcy, property or IP rights."""
    return _decide(
        confirmation_id,
        actor,
        to_state=Confirmation.State.NOT_ACCEPTED,
        action="confirmation.not_accept",
        grounds=clean_reason(grounds, field_name="grounds"),
        permitted=permissions.may_not_accept,
    )


def confirmation_withdraw(*, confirmation_id: int, actor, reason: str = "") -> Confirmation:
    """The applicants withdraw before the ruling (Interp 357), recorded by the court."""
    return _decide(
        confirmation_id,
        actor,
        to_state=Confirmation.State.WITHDRAWN,
        action="confirmation.withdraw",
        grounds=clean_reason(reason, required=False),
        permitted=permissions.may_record_withdrawal,
    )


def confirmation_start_enforcement(*, confirmation_id: int, actor):
    """A party did not perform the confirmed agreement: an enforcement filing (执) at the confirming court,
    with the parties and the agreed amount, in that court's own inbox (DOMAIN.md, CPL 206)."""
    with transaction.atomic(durable=True):
        confirmation = _locked(confirmation_id)
        require(permissions.may_start_enforcement(actor, confirmation))
        if confirmation.state != Confirmation.State.CONFIRMED:
            raise ValidationError({"state": [_("Only a confirmed agreement can be enforced.")]})
        if confirmation.enforcement_filing_id is not None:
            raise ValidationError({"state": [_("Enforcement of this ruling has already been applied for.")]})
        mediation, agreement = confirmation.mediation, confirmation.agreement
        # Confirmed after being registered, and registering opened its case (confirmation_register).
        assert confirmation.case_id is not None
        case = Case.objects.get(pk=confirmation.case_id)
        filing = filing_refer(
            actor=actor,
            court=confirmation.court,
            jurisdiction_court=confirmation.court,
            category=FilingCategory.ENFORCEMENT,
            cause=mediation.cause,
            claim_amount=agreement.amount,
            parties=list(MediationParty.objects.filter(mediation=mediation).order_by("position", "id")),
            materials=[f"执行依据：{case.number} 民事裁定书", f"调解协议：{mediation.number}"],
            e_service_consent=False,
            query_code_hash=mediation.query_code_hash,
            origin={"confirmation": confirmation.pk, "case_number": case.number},
        )
        confirmation.enforcement_filing = filing
        confirmation.save(update_fields=["enforcement_filing", "updated_at"])
        record_event(
            subject=confirmation,
            action="confirmation.start_enforcement",
            actor=actor,
            from_state=confirmation.state,
            to_state=confirmation.state,
            payload={"filing": filing.pk, "receipt_number": filing.receipt_number},
        )
    return filing


def confirmation_flag_overdue(*, confirmation_id: int) -> Confirmation | None:
    """Past the 30 days of CPL 187 (periodic): flagged once, the court's judges told."""
    from courts.models import Role
    from courts.notifications import notify_court

    with transaction.atomic(durable=True):
        confirmation = _locked(confirmation_id)
        if confirmation.overdue or confirmation.state != Confirmation.State.REGISTERED:
            return None
        # Registering starts the 30 days (confirmation_register).
        assert confirmation.decision_due_at is not None
        if confirmation.decision_due_at > timezone.now():
            return None
        confirmation.overdue = True
        confirmation.save(update_fields=["overdue", "updated_at"])
        record_event(
            subject=confirmation,
            action="confirmation.overdue",
            actor_court=confirmation.court,
            from_state=confirmation.state,
            to_state=confirmation.state,
        )
        notify_court(
            court=confirmation.court,
            role=Role.JUDGE,
            title=Message(
                gettext_noop("Overdue: judicial confirmation %(number)s was due by %(date)s (CPL 187)"),
                number=confirmation.case.number if confirmation.case is not None else confirmation.pk,
                date=confirmation.decision_due_at.astimezone(COURT_TZ).date().isoformat(),
            ),
            url=f"/confirmations/{confirmation.pk}/",
        )
    return confirmation


def confirmation_flag_supplement_lapsed(*, confirmation_id: int) -> Confirmation | None:
    """The applicants did not supplement by the deadline (periodic): the court's clerks are told it may
    treat the application as withdrawn (Interp 357), once; the decision stays the court's."""
    from courts.models import Role
    from courts.notifications import notify_court

    with transaction.atomic(durable=True):
        confirmation = _locked(confirmation_id)
        if (
            confirmation.state != Confirmation.State.SUPPLEMENT_REQUESTED
            or confirmation.supplement_lapsed_at is not None
        ):
            return None
        # Asking for a supplement sets its deadline (confirmation_request_supplement).
        assert confirmation.supplement_deadline is not None
        if confirmation.supplement_deadline >= timezone.localdate():
            return None
        confirmation.supplement_lapsed_at = timezone.now()
        confirmation.save(update_fields=["supplement_lapsed_at", "updated_at"])
        record_event(
            subject=confirmation,
            action="confirmation.supplement_lapsed",
            actor_court=confirmation.court,
            from_state=confirmation.state,
            to_state=confirmation.state,
            payload={"deadline": confirmation.supplement_deadline.isoformat()},
        )
        notify_court(
            court=confirmation.court,
            role=Role.FILING_CLERK,
            title=Message(
                gettext_noop(
                    "Not supplemented by %(date)s: the application to confirm %(number)s may be treated as "
                    "withdrawn (Interp 357)"
                ),
                date=confirmation.supplement_deadline.isoformat(),
                number=confirmation.mediation.number,
            ),
            url=f"/confirmations/{confirmation.pk}/",
        )
    return confirmation
