"""Joint mediation (联调, DOMAIN.md): every change of a mediation's or an invitation's state goes through
`mediation_transition` or `invitation_transition`, inside one transaction, with a timeline event; whatever
another court must see travels as a Delivery row written in that transaction (courts.delivery), never as a
direct write into that court's inbox.

How it moves:
- a judge of the lead tribunal opens it (proposed) and invites tribunals of other courts; each invitation is
  delivered to its court (sent -> received) and answered there (accepted, naming the mediator, or declined
  with a reason), due within 3 working days;
- each answer is delivered back to the lead court, which settles the mediation: accepted once every invited
  tribunal has answered and at least one accepted (the 30 days run from that answer), declined if all
  declined (the lead may invite another: proposed again);
- the first session makes it in_session (mediation.services.sessions); it ends agreed
  (mediation.services.agreements), failed with a reason, expired 30 days after acceptance unless the
  parties agreed to extend it, or withdrawn by the parties;
- a failed or expired mediation becomes a filing at the court with jurisdiction with one action.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases.models import Case, CaseType, Filing, FilingCategory, Party
from cases.selectors import cases_visible_to, filings_visible_to
from cases.services.case_numbers import case_number_next
from cases.services.filings import MAX_CLAIM_AMOUNT, MAX_MATERIALS, filing_refer
from cases.services.parties import PartyInput, clean_parties, party_copies, party_rows
from courts import query_codes
from courts.delivery import delivery_send
from courts.errors import ActionForbidden, TransitionNotAllowed
from courts.legal_calendar import COURT_TZ, compute_deadline
from courts.lookup_guard import lift_locks, locks_of
from courts.messages import Message
from courts.models import Court, Role, Tribunal, User
from courts.notifications import notifications_settle
from courts.rows import lock_row
from courts.selectors import acting_court, court_by_id
from courts.state_machine import transition, transition_if
from courts.timeline import record_event
from mediation import permissions
from mediation.models import (
    INVITATION_OPEN,
    INVITATION_TRANSITIONS,
    MEDIATION_OPEN,
    MEDIATION_RUNNING,
    MEDIATION_TRANSITIONS,
    Confirmation,
    Invitation,
    Mediation,
    MediationParty,
)

# Acceptance is due within 3 working days of the invitation; the mediation lasts 30 days from acceptance.
ANSWER_PERIOD_WORKING_DAYS = 3
MEDIATION_PERIOD_DAYS = 30
MAX_EXTENSION_DAYS = 366
MAX_REASON = 2000
MEDIATION_TYPE_CODE = "民诉前调"

# The reason the system gives for what an ending cancels (invitations unanswered, sessions to come).
MEDIATION_ENDED = gettext_noop("The mediation ended.")

# Delivery kinds this floor sends (handlers: mediation.handlers).
INVITED = "mediation.invited"
ANSWERED = "mediation.answered"
CHANGED = "mediation.changed"


def mediation_transition(mediation: Mediation, **change) -> Mediation:
    """The one way a mediation changes state (courts.state_machine); the caller holds lock and transaction."""
    return transition(mediation, transitions=MEDIATION_TRANSITIONS, **change)


def invitation_transition(invitation: Invitation, **change) -> Invitation:
    return transition(invitation, transitions=INVITATION_TRANSITIONS, **change)


def locked(mediation_id: int) -> Mediation:
    """The mediation under a row lock of its own (no joined rows locked), with what its rules read."""
    mediation = (
        Mediation.objects.select_for_update(of=("self",))
        .select_related("lead_tribunal", "jurisdiction_court", "lead_mediator")
        .get(pk=mediation_id)
    )
    mediation.lead_court = court_by_id(mediation.lead_court_id)
    return mediation


def require(allowed: bool) -> None:
    if not allowed:
        raise ActionForbidden()


def closed(mediation: Mediation) -> TransitionNotAllowed:
    """The refusal for an action that needs an open mediation (409, naming where it may still go)."""
    return TransitionNotAllowed(
        current=mediation.state,
        current_label=str(mediation.get_state_display()),
        target_label=_("changed"),
        allowed={
            state: str(Mediation.State(state).label)
            for state in MEDIATION_TRANSITIONS.get(mediation.state, ())
        },
    )


def require_within_period(mediation: Mediation, *, field_name: str, day=None) -> None:
    """A running mediation past its end (the periodic sweep has not expired it yet) takes no more work; a
    session must fall within the period (`day`, the session's date). Extend it first, with the parties'
    agreement."""
    today = timezone.localdate()
    if mediation.expires_on is None:
        return
    if mediation.expires_on < today or (day is not None and day > mediation.expires_on):
        raise ValidationError(
            {
                field_name: [
                    _("The mediation period ends on %(date)s: extend it first, with the parties' agreement.")
                    % {"date": mediation.expires_on.isoformat()}
                ]
            }
        )


def clean_reason(reason: str, *, field_name: str = "reason", required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({field_name: [_("Give the reason.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({field_name: [_("At most 2000 characters.")]})
    return reason


def participating_courts(mediation: Mediation) -> list[Court]:
    """The lead court and the court of every tribunal that accepted (each once)."""
    ids = [mediation.lead_court_id]
    for invitation in mediation.invitations.all():
        if invitation.state == Invitation.State.ACCEPTED and invitation.court_id not in ids:
            ids.append(invitation.court_id)
    return [court_by_id(pk) for pk in ids]


def tell_other_courts(mediation: Mediation, *, actor_court: Court | None, note: str, url: str = "") -> None:
    """Every other court taking part hears of a change (by delivery; mediation.handlers picks whom)."""
    for court in participating_courts(mediation):
        if actor_court is None or court.pk != actor_court.pk:
            delivery_send(
                court=court,
                kind=CHANGED,
                payload={"mediation": mediation.pk, "note": note, "url": url},
            )


# --- Opening ------------------------------------------------------------------------------------------


@dataclass
class Origin:
    """Where a new mediation comes from: exactly one of a diverted filing, a case, or parties entered."""

    filing_id: int | None = None
    case_id: int | None = None
    parties: list[PartyInput] = field(default_factory=list)


def _clean_invited(lead_tribunal: Tribunal, tribunals: list[Tribunal], *, already=()) -> dict:
    errors: dict[str, list[str]] = {}
    if not tribunals:
        return {"invited_tribunals": [_("Invite at least one tribunal of another court.")]}
    seen = set(already)
    for tribunal in tribunals:
        if tribunal.court_id == lead_tribunal.court_id:
            errors["invited_tribunals"] = [
                _("%(tribunal)s belongs to the lead tribunal's own court: invite tribunals of other courts.")
                % {"tribunal": tribunal.name}
            ]
        elif not court_by_id(tribunal.court_id).is_active:
            errors["invited_tribunals"] = [_("That court does not take part in this system.")]
        elif tribunal.pk in seen:
            errors["invited_tribunals"] = [
                _("%(tribunal)s is already invited.") % {"tribunal": tribunal.name}
            ]
        seen.add(tribunal.pk)
    return errors


def _origin_record(actor, lead_tribunal: Tribunal, origin: Origin, errors: dict):
    """The filing or case the mediation comes from, checked; None for parties entered at the tribunal."""
    given = [bool(origin.filing_id), bool(origin.case_id), bool(origin.parties)]
    if sum(given) != 1:
        errors["origin"] = [_("Give exactly one of: a diverted filing, a case, or the parties.")]
        return None
    if origin.filing_id:
        filing = filings_visible_to(actor).filter(pk=origin.filing_id).first()
        if filing is None:
            errors["filing"] = [_("No such filing.")]
        elif filing.state != Filing.State.DIVERTED_TO_MEDIATION:
            errors["filing"] = [_("Only a filing diverted to pre-filing mediation can be mediated.")]
        elif filing.jurisdiction_court_id != lead_tribunal.court_id:
            errors["filing"] = [_("A tribunal of the court that diverted the filing leads its mediation.")]
        elif Mediation.objects.filter(origin_filing=filing).exists():
            errors["filing"] = [_("This filing is already being mediated.")]
        return filing
    if origin.case_id:
        case = cases_visible_to(actor).filter(pk=origin.case_id).first()
        if case is None:
            errors["case"] = [_("No such case.")]
        elif case.court_id != lead_tribunal.court_id:
            errors["case"] = [_("A tribunal of the case's own court leads its mediation.")]
        return case
    errors.update(clean_parties(origin.parties))
    return None


def mediation_open(
    *,
    actor,
    lead_tribunal: Tribunal,
    invited_tribunals: list[Tribunal],
    origin: Origin,
    consent: bool,
    cause: str = "",
    claim_amount: Decimal | None = None,
    jurisdiction_court: Court | None = None,
    property_court: Court | None = None,
    materials: list[str] | None = None,
) -> tuple[Mediation, str]:
    """Open a pre-filing mediation led by `lead_tribunal` and invite the other courts' tribunals. Returns
    the mediation and its query code (shown only now). A filing or case it comes from lends its parties
    (copied, never retyped), cause, amount, court with jurisdiction and materials."""
    require(permissions.may_open(actor, lead_tribunal))
    errors: dict[str, list[str]] = {}
    record = _origin_record(actor, lead_tribunal, origin, errors)
    errors.update(_clean_invited(lead_tribunal, invited_tribunals))
    if consent is not True:
        errors["consent"] = [_("Mediation needs the parties' consent.")]
    if isinstance(record, Filing) and not record.pre_mediation_consent:
        errors["consent"] = [_("The litigant did not consent to pre-filing mediation.")]
    cause = (cause or getattr(record, "cause", "") or "").strip()
    if not cause:
        errors["cause"] = [_("Enter the cause of action.")]
    elif len(cause) > 100:
        errors["cause"] = [_("At most 100 characters.")]
    if claim_amount is None and record is not None:
        claim_amount = record.claim_amount
    if claim_amount is not None and not (Decimal("0") < claim_amount <= MAX_CLAIM_AMOUNT):
        errors["claim_amount"] = [_("The amount must be above 0 and at most 100,000,000,000 yuan.")]
    if jurisdiction_court is None and record is not None:
        jurisdiction_court = (
            court_by_id(record.jurisdiction_court_id)
            if isinstance(record, Filing)
            else court_by_id(record.court_id)
        )
    if jurisdiction_court is None:
        errors["jurisdiction_court"] = [_("Name the court with jurisdiction if mediation fails.")]
    materials = [item.strip() for item in (materials or []) if item.strip()]
    if isinstance(record, Filing):
        materials = [*record.materials, *materials]
    if len(materials) > MAX_MATERIALS or any(len(item) > 100 for item in materials):
        errors["materials"] = [_("At most 40 items of at most 100 characters each.")]
    if errors:
        raise ValidationError(errors)
    assert jurisdiction_court is not None  # an error above otherwise

    query_code = query_codes.new_code()
    query_code_hash = query_codes.hash_code(query_code)
    lead_court = court_by_id(lead_tribunal.court_id)
    now = timezone.now()
    with transaction.atomic(durable=True):
        if isinstance(record, Filing):
            # Two judges opening a mediation on one filing at once: the filing's row lock lets one through,
            # and the other finds it taken (checked again under the lock).
            lock_row(Filing, record.pk)
            if Mediation.objects.filter(origin_filing_id=record.pk).exists():
                raise ValidationError({"filing": [_("This filing is already being mediated.")]})
        case_type = CaseType.objects.get(code=MEDIATION_TYPE_CODE)
        year = now.astimezone(COURT_TZ).year
        sequence, number = case_number_next(court=lead_court, case_type=case_type, year=year)
        mediation = Mediation.objects.create(
            number=number,
            case_type=case_type,
            year=year,
            sequence=sequence,
            lead_court=lead_court,
            lead_tribunal=lead_tribunal,
            lead_mediator=actor,
            jurisdiction_court=jurisdiction_court,
            property_court=property_court,
            cause=cause,
            claim_amount=claim_amount,
            consent=True,
            origin=(
                Mediation.Origin.FILING
                if isinstance(record, Filing)
                else Mediation.Origin.CASE
                if isinstance(record, Case)
                else Mediation.Origin.DIRECT
            ),
            origin_filing=record if isinstance(record, Filing) else None,
            origin_case=record if isinstance(record, Case) else None,
            materials=materials,
            query_code_hash=query_code_hash,
            created_by=actor,
            created_at=now,
        )
        if record is not None:
            sources = list(Party.objects.filter(**{_owner(record): record}).order_by("position", "id"))
            rows = party_copies(sources, model=MediationParty, mediation=mediation)
            for row, source in zip(rows, sources, strict=True):
                row.source = source
        else:
            rows = party_rows(origin.parties, model=MediationParty, mediation=mediation)
        MediationParty.objects.bulk_create(rows)
        record_event(
            subject=mediation,
            action="mediation.propose",
            actor=actor,
            to_state=Mediation.State.PROPOSED,
            payload={
                "number": number,
                "origin": mediation.origin,
                "filing": mediation.origin_filing_id,
                "case": mediation.origin_case_id,
                "invited": [tribunal.code for tribunal in invited_tribunals],
            },
        )
        _invite(mediation, invited_tribunals, actor=actor, now=now)
    return mediation, query_code


def _owner(record) -> str:
    return "filing" if isinstance(record, Filing) else "case"


def _invite(mediation: Mediation, tribunals: list[Tribunal], *, actor, now: dt.datetime) -> list[Invitation]:
    deadline = compute_deadline(now, ANSWER_PERIOD_WORKING_DAYS, "working_days")
    invitations = []
    for tribunal in tribunals:
        invitation = Invitation.objects.create(
            mediation=mediation,
            tribunal=tribunal,
            court_id=tribunal.court_id,
            invited_at=now,
            invited_by=actor,
            due_at=deadline.due,
            due_calendar_known=deadline.calendar_known,
        )
        record_event(
            subject=invitation,
            action="invitation.send",
            actor=actor,
            to_state=Invitation.State.SENT,
            payload={
                "mediation": mediation.pk,
                "tribunal": tribunal.code,
                "due_at": deadline.due.isoformat(),
            },
        )
        delivery_send(
            court=court_by_id(tribunal.court_id), kind=INVITED, payload={"invitation": invitation.pk}
        )
        invitations.append(invitation)
    return invitations


def mediation_invite(*, mediation_id: int, actor, tribunals: list[Tribunal]) -> list[Invitation]:
    """Invite more tribunals. After every invited tribunal declined, this opens the mediation again."""
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        require(permissions.may_lead(actor, mediation))
        if mediation.state not in MEDIATION_OPEN:
            raise closed(mediation)
        asked = Invitation.objects.filter(mediation=mediation, state__in=(*INVITATION_OPEN, "accepted"))
        errors = _clean_invited(
            mediation.lead_tribunal, tribunals, already=asked.values_list("tribunal", flat=True)
        )
        if errors:
            raise ValidationError({"tribunals": errors["invited_tribunals"]})
        if mediation.state == Mediation.State.DECLINED:
            mediation_transition(
                mediation,
                to_state=Mediation.State.PROPOSED,
                action="mediation.reinvite",
                actor=actor,
                payload={"invited": [tribunal.code for tribunal in tribunals]},
            )
        return _invite(mediation, tribunals, actor=actor, now=timezone.now())


# --- At the invited court -----------------------------------------------------------------------------


def invitation_receive(*, invitation_id: int, court: Court) -> Invitation | None:
    """The invitation reached the invited court (run by the delivery, in its transaction): awaiting an
    answer. None if it was cancelled on the way. One statement moves and reads it."""
    invitation = transition_if(
        Invitation,
        invitation_id,
        transitions=INVITATION_TRANSITIONS,
        from_state=Invitation.State.SENT,
        to_state=Invitation.State.RECEIVED,
        changes={"received_at": timezone.now()},
        action="invitation.receive",
        actor_court=court,
    )
    if invitation is not None and invitation.court_id != court.pk:
        raise ValueError(f"invitation {invitation_id} is for court {invitation.court_id}, not {court}")
    return invitation


def _locked_invitation(invitation_id: int) -> Invitation:
    return Invitation.objects.select_for_update(of=("self",)).select_related("tribunal").get(pk=invitation_id)


def invitation_accept(*, invitation_id: int, actor, mediator: User | None = None) -> Invitation:
    """The invited tribunal takes part, naming its mediator (a judge of the tribunal; the caller by default).
    The answer goes back to the lead court, which settles the mediation (mediation_settle_answers)."""
    mediator = mediator or actor
    with transaction.atomic(durable=True):
        invitation = _locked_invitation(invitation_id)
        require(permissions.may_answer(actor, invitation))
        if not (
            mediator.is_active
            and mediator.tribunal_id == invitation.tribunal_id
            and mediator.has_role(Role.JUDGE)
        ):
            raise ValidationError(
                {
                    "mediator": [
                        _("The mediator must be a judge of %(tribunal)s.")
                        % {"tribunal": invitation.tribunal.name}
                    ]
                }
            )
        invitation.answered_at, invitation.answered_by, invitation.mediator = timezone.now(), actor, mediator
        invitation_transition(
            invitation,
            to_state=Invitation.State.ACCEPTED,
            action="invitation.accept",
            actor=actor,
            payload={"mediator": mediator.username},
            update_fields=("answered_at", "answered_by", "mediator"),
        )
        _answer_to_lead(invitation)
    return invitation


def invitation_decline(*, invitation_id: int, actor, reason: str) -> Invitation:
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        invitation = _locked_invitation(invitation_id)
        require(permissions.may_answer(actor, invitation))
        invitation.answered_at, invitation.answered_by = timezone.now(), actor
        invitation.decline_reason = reason
        invitation_transition(
            invitation,
            to_state=Invitation.State.DECLINED,
            action="invitation.decline",
            actor=actor,
            reason=reason,
            update_fields=("answered_at", "answered_by", "decline_reason"),
        )
        _answer_to_lead(invitation)
    return invitation


def _answer_to_lead(invitation: Invitation) -> None:
    # Answered: the invited court's notices of the invitation are read.
    notifications_settle(
        url=f"/mediations/{invitation.mediation_id}/", court=court_by_id(invitation.court_id)
    )
    lead_court_id = Mediation.objects.values_list("lead_court_id", flat=True).get(pk=invitation.mediation_id)
    delivery_send(
        court=court_by_id(lead_court_id),
        kind=ANSWERED,
        payload={"mediation": invitation.mediation_id, "invitation": invitation.pk},
    )


def invitation_cancel(*, mediation_id: int, actor, tribunal: Tribunal, reason: str = "") -> Invitation:
    """The lead withdraws an invitation not yet answered (a tribunal that does not answer must not hold the
    mediation up); the mediation is then settled on the answers it has."""
    reason = clean_reason(reason, required=False)
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        require(permissions.may_lead(actor, mediation))
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .filter(mediation=mediation, tribunal=tribunal, state__in=INVITATION_OPEN)
            .first()
        )
        if invitation is None:
            raise ValidationError({"tribunal": [_("That tribunal has no invitation awaiting an answer.")]})
        invitation_transition(
            invitation,
            to_state=Invitation.State.CANCELLED,
            action="invitation.cancel",
            actor=actor,
            reason=reason,
        )
        delivery_send(
            court=court_by_id(invitation.court_id),
            kind=CHANGED,
            payload={"mediation": mediation.pk, "invitation": invitation.pk, "note": "invitation_cancelled"},
        )
        _settle(mediation, actor_court=mediation.lead_court, completed_at=timezone.now())
    return invitation


# --- At the lead court: the answers settle the mediation ---------------------------------------------------


def mediation_settle_answers(*, mediation_id: int, court: Court) -> Mediation | None:
    """An answer reached the lead court (run by the delivery, in its transaction). Returns the mediation if
    this answer moved it (accepted or declined), else None."""
    mediation = locked(mediation_id)
    if mediation.lead_court_id != court.pk:
        raise ValueError(f"mediation {mediation_id} is led by court {mediation.lead_court_id}, not {court}")
    return _settle(mediation, actor_court=court)


def _settle(mediation: Mediation, *, actor_court: Court, completed_at=None) -> Mediation | None:
    """proposed -> accepted once every invitation is answered and one accepted; -> declined if all declined.
    The 30 days run from the moment that completed the acceptance: the last answer (not when the lead court
    heard of it: a delivery's delay never shortens the parties' time), or `completed_at`, when the lead
    withdrew the last invitation nobody answered (the mediation could not start before then)."""
    if mediation.state != Mediation.State.PROPOSED:
        return None
    answers = list(
        Invitation.objects.filter(mediation=mediation)
        .exclude(state=Invitation.State.CANCELLED)
        .values_list("state", "answered_at")
    )
    if not answers or any(state in INVITATION_OPEN for state, _at in answers):
        return None
    accepted = [at for state, at in answers if state == Invitation.State.ACCEPTED]
    if not accepted:
        return mediation_transition(
            mediation, to_state=Mediation.State.DECLINED, action="mediation.declined", actor_court=actor_court
        )
    mediation.accepted_at = max([at for _state, at in answers] + ([completed_at] if completed_at else []))
    deadline = compute_deadline(mediation.accepted_at, MEDIATION_PERIOD_DAYS, "days")
    mediation.expires_on, mediation.expiry_calendar_known = deadline.due_date, deadline.calendar_known
    mediation_transition(
        mediation,
        to_state=Mediation.State.ACCEPTED,
        action="mediation.accept",
        actor_court=actor_court,
        payload={"expires_on": mediation.expires_on.isoformat()},
        update_fields=("accepted_at", "expires_on", "expiry_calendar_known"),
    )
    # The tribunals that accepted earlier hear that it starts, and until when.
    tell_other_courts(mediation, actor_court=actor_court, note="accepted")
    return mediation


# --- Ending ---------------------------------------------------------------------------------------------


def _end(
    mediation: Mediation, *, to_state: str, action: str, actor=None, reason: "str | Message" = "", note: str
) -> Mediation:
    """Any end: invitations still unanswered are cancelled, sessions still to come are cancelled (their
    rooms and mediators are free again), and the other courts hear of it."""
    from mediation.services.sessions import sessions_cancel_for_end

    actor_court = acting_court(actor) if actor is not None else mediation.lead_court
    mediation.ended_at = timezone.now()
    # A reason the system wrote is stored as its source text (read through courts.timeline.stored_text).
    # (one with arguments, such as the date an expiry came, lives on the timeline only).
    if isinstance(reason, Message):
        mediation.end_reason = "" if reason.args else reason.msgid
    else:
        mediation.end_reason = reason
    mediation_transition(
        mediation,
        to_state=to_state,
        action=action,
        actor=actor,
        actor_court=actor_court,
        reason=reason,
        update_fields=("ended_at", "end_reason"),
    )
    for invitation in Invitation.objects.select_for_update(of=("self",)).filter(
        mediation=mediation, state__in=INVITATION_OPEN
    ):
        invitation_transition(
            invitation,
            to_state=Invitation.State.CANCELLED,
            action="invitation.cancel",
            actor=actor,
            actor_court=actor_court,
            reason=Message(MEDIATION_ENDED),
        )
        delivery_send(
            court=court_by_id(invitation.court_id),
            kind=CHANGED,
            payload={"mediation": mediation.pk, "invitation": invitation.pk, "note": "invitation_cancelled"},
        )
    sessions_cancel_for_end(mediation, actor=actor, actor_court=actor_court)
    tell_other_courts(mediation, actor_court=actor_court, note=note)
    return mediation


def mediation_fail(*, mediation_id: int, actor, reason: str) -> Mediation:
    """No agreement: the parties could not agree, or a party would not take part."""
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        require(permissions.may_run(actor, mediation))
        return _end(
            mediation,
            to_state=Mediation.State.FAILED,
            action="mediation.fail",
            actor=actor,
            reason=reason,
            note="failed",
        )


def mediation_withdraw(*, mediation_id: int, actor, reason: str = "") -> Mediation:
    """The parties withdraw (at any open state); a mediator records it."""
    reason = clean_reason(reason, required=False)
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        require(permissions.may_run(actor, mediation))
        return _end(
            mediation,
            to_state=Mediation.State.WITHDRAWN,
            action="mediation.withdraw",
            actor=actor,
            reason=reason,
            note="withdrawn",
        )


def mediation_expire(*, mediation_id: int, today: dt.date | None = None) -> Mediation | None:
    """The 30 days (or the extension the parties agreed) are over without agreement (periodic)."""
    today = today or timezone.localdate()
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        if (
            mediation.state not in MEDIATION_RUNNING
            or mediation.expires_on is None
            or mediation.expires_on >= today
        ):
            return None
        return _end(
            mediation,
            to_state=Mediation.State.EXPIRED,
            action="mediation.expire",
            reason=Message(
                gettext_noop("The mediation period ended on %(date)s without agreement."),
                date=mediation.expires_on.isoformat(),
            ),
            note="expired",
        )


def mediation_extend(
    *, mediation_id: int, actor, until: dt.date, reason: str, agreed_by: list[int] | None = None
):
    """The parties agree to mediate longer (DOMAIN.md: 30 days unless the parties agree to extend): the new
    end date, why, and which parties agreed (every party must)."""
    from mediation.models import Extension

    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        require(permissions.may_run(actor, mediation))
        if mediation.state not in MEDIATION_RUNNING:
            raise ValidationError({"until": [_("Only a mediation under way can be extended.")]})
        # Acceptance sets the end of the period (_settle): a running mediation has one.
        assert mediation.expires_on is not None
        if mediation.expires_on < timezone.localdate():
            # Past its end the mediation is over (the sweep will say so): the parties agree before it ends.
            raise ValidationError(
                {
                    "until": [
                        _("The mediation period ended on %(date)s.")
                        % {"date": mediation.expires_on.isoformat()}
                    ]
                }
            )
        parties = {party.pk: party for party in MediationParty.objects.filter(mediation=mediation)}
        agreed = set(parties) if agreed_by is None else set(agreed_by)
        errors = {}
        if agreed - set(parties):
            errors["agreed_by"] = [_("Only parties of this mediation can agree.")]
        elif agreed != set(parties):
            errors["agreed_by"] = [_("Every party must agree to the extension.")]
        if until <= mediation.expires_on:
            errors["until"] = [
                _("The new end must be after the current one (%(date)s).") % {"date": mediation.expires_on}
            ]
        elif until > mediation.expires_on + dt.timedelta(days=MAX_EXTENSION_DAYS):
            errors["until"] = [_("At most a year beyond the current end.")]
        if errors:
            raise ValidationError(errors)
        extension = Extension.objects.create(
            mediation=mediation,
            previous_end=mediation.expires_on,
            until=until,
            reason=reason,
            created_by=actor,
        )
        extension.agreed_by.set([parties[pk] for pk in sorted(agreed)])
        previous, mediation.expires_on = mediation.expires_on, until
        mediation.save(update_fields=["expires_on", "updated_at"])
        record_event(
            subject=mediation,
            action="mediation.extend",
            actor=actor,
            from_state=mediation.state,
            to_state=mediation.state,
            reason=reason,
            payload={"from": previous.isoformat(), "until": until.isoformat(), "agreed_by": sorted(agreed)},
        )
        tell_other_courts(mediation, actor_court=acting_court(actor), note="extended")
    return extension


# --- A failed mediation becomes a filing ---------------------------------------------------------------


def mediation_convert_to_filing(*, mediation_id: int, actor) -> Filing:
    """With one action: a filing at the court with jurisdiction with the mediation's parties, cause, amount
    and materials (DOMAIN.md: "turns into a filing without retyping"). Cross-region when that court is not
    the lead tribunal's; otherwise in that court's own inbox. The litigant keeps the mediation's query
    code."""
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        require(permissions.may_lead(actor, mediation))
        if mediation.state not in (Mediation.State.FAILED, Mediation.State.EXPIRED):
            raise ValidationError({"state": [_("Only a failed or expired mediation becomes a filing.")]})
        if mediation.resulting_filing_id is not None:
            raise ValidationError({"state": [_("This mediation has already become a filing.")]})
        origin = mediation.origin_filing
        filing = filing_refer(
            actor=actor,
            court=mediation.lead_court,
            jurisdiction_court=court_by_id(mediation.jurisdiction_court_id),
            category=FilingCategory.CIVIL_FIRST_INSTANCE,
            cause=mediation.cause,
            claim_amount=mediation.claim_amount,
            parties=list(MediationParty.objects.filter(mediation=mediation).order_by("position", "id")),
            materials=[*mediation.materials, f"调解不成：{mediation.number}"][:MAX_MATERIALS],
            e_service_consent=origin.e_service_consent if origin else False,
            query_code_hash=mediation.query_code_hash,
            origin={"mediation": mediation.pk, "mediation_number": mediation.number},
            attachments=list(origin.attachments.all()) if origin else [],
        )
        mediation.resulting_filing = filing
        mediation.save(update_fields=["resulting_filing", "updated_at"])
        record_event(
            subject=mediation,
            action="mediation.convert_to_filing",
            actor=actor,
            from_state=mediation.state,
            to_state=mediation.state,
            payload={"filing": filing.pk, "receipt_number": filing.receipt_number},
        )
    return filing


# --- The parties' query code and their status lookup (issue 9) ------------------------------------------


def sharing_the_code(mediation: Mediation, code_hash: str):
    """The filings and cases that took this mediation's query code and still hold it: its 民特 cases, the
    filing made when it failed, its enforcement filings, and the cases those filings became (one whose code
    a window reissued since holds its own, and is left alone)."""
    confirmations = Confirmation.objects.filter(mediation=mediation)
    filings = Filing.objects.filter(
        Q(pk=mediation.resulting_filing_id) | Q(pk__in=confirmations.values("enforcement_filing_id")),
        query_code_hash=code_hash,
    )
    cases = Case.objects.filter(
        Q(pk__in=confirmations.values("case_id")) | Q(origin_filing__in=filings.values("pk")),
        query_code_hash=code_hash,
    )
    return filings, cases


def lookup_numbers(mediation: Mediation) -> list[str]:
    """The numbers the parties may look this mediation up by with its code: its own, and those of the
    filings and cases that share the code."""
    filings, cases = sharing_the_code(mediation, mediation.query_code_hash)
    return [
        mediation.number,
        *filings.values_list("receipt_number", flat=True),
        *cases.values_list("number", flat=True),
    ]


def mediation_lookup_locks(mediation: Mediation) -> dict[str, int]:
    """Which of its numbers are locked against status lookups, and for how many more minutes."""
    return locks_of(lookup_numbers(mediation))


def mediation_reissue_query_code(*, mediation_id: int, actor) -> tuple[Mediation, str]:
    """A new query code for parties who lost theirs (their identity checked); the old one stops working,
    for the mediation and for every filing and case that shares it (`sharing_the_code`)."""
    query_code = query_codes.new_code()
    code_hash = query_codes.hash_code(query_code)
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        require(permissions.may_act_for_parties(actor, mediation))
        numbers = lookup_numbers(mediation)
        filings, cases = sharing_the_code(mediation, mediation.query_code_hash)
        # Cases first: which cases share the code is read through the filings, still holding the old hash.
        cases.update(query_code_hash=code_hash)
        filings.update(query_code_hash=code_hash)
        mediation.query_code_hash = code_hash
        mediation.save(update_fields=["query_code_hash", "updated_at"])
        record_event(
            subject=mediation,
            action="mediation.reissue_query_code",
            actor=actor,
            from_state=mediation.state,
            to_state=mediation.state,
        )
    lift_locks(numbers)
    return mediation, query_code


def mediation_lift_lookup_lock(*, mediation_id: int, actor) -> list[str]:
    """The parties' identity was checked: their numbers open again for status lookups. Logged."""
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        require(permissions.may_act_for_parties(actor, mediation))
        lifted = lift_locks(lookup_numbers(mediation))
        record_event(
            subject=mediation,
            action="mediation.lift_lookup_lock",
            actor=actor,
            from_state=mediation.state,
            to_state=mediation.state,
            payload={"numbers": lifted},
        )
    return lifted
