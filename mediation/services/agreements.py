"""The mediation agreement (调解协议): terms, amount, payment schedule, every party's signature and the date
it takes effect. Recording it ends the mediation agreed; from then on it is frozen. A new agreement may
replace it, with a reason, until the parties have applied for its confirmation."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services.filings import MAX_CLAIM_AMOUNT
from courts.selectors import acting_court
from courts.state_machine import transition
from courts.text import join_list
from courts.timeline import record_event
from mediation import permissions
from mediation.models import (
    AGREEMENT_TRANSITIONS,
    CONFIRMATION_OPEN,
    Agreement,
    AgreementPayment,
    AgreementSignature,
    Confirmation,
    Mediation,
    MediationParty,
)
from mediation.services.mediations import (
    clean_reason,
    closed,
    locked,
    mediation_transition,
    require,
    require_within_period,
    tell_other_courts,
)
from mediation.services.sessions import sessions_cancel_for_end

MAX_TERMS = 20000
MAX_DAYS_TO_EFFECT = 30
MAX_PAYMENTS = 120


@dataclass
class PaymentInput:
    due_on: dt.date
    amount: Decimal


@dataclass
class SignatureInput:
    party: int
    signed_at: dt.datetime
    method: str


def _clean(
    *, mediation: Mediation, terms: str, amount, payments, signatures, effective_on, parties
) -> tuple[str, dict]:
    errors: dict[str, list[str]] = {}
    terms = (terms or "").strip()
    if not terms:
        errors["terms"] = [_("Write the terms the parties agreed.")]
    elif len(terms) > MAX_TERMS:
        errors["terms"] = [_("At most 20000 characters.")]
    if amount is not None and not (Decimal("0") <= amount <= MAX_CLAIM_AMOUNT):
        errors["amount"] = [_("The amount must be at least 0 and at most 100,000,000,000 yuan.")]
    if len(payments) > MAX_PAYMENTS:
        errors["payments"] = [_("At most 120 payments.")]
    for index, payment in enumerate(payments):
        if payment.amount <= 0:
            errors[f"payments.{index}.amount"] = [_("Each payment must be above 0.")]
        if effective_on and payment.due_on < effective_on:
            errors[f"payments.{index}.due_on"] = [
                _("A payment cannot fall due before the agreement takes effect.")
            ]
    if amount is not None and amount > 0 and "payments" not in errors:
        total = sum((payment.amount for payment in payments), Decimal("0"))
        if total != amount:
            errors["payments"] = [
                _("The payments add up to %(total)s, not the agreed amount of %(amount)s.")
                % {"total": f"{total:,.2f}", "amount": f"{amount:,.2f}"}
            ]
    elif payments and (amount is None or amount == 0):
        errors["amount"] = [_("Give the amount the payments add up to.")]

    signed: dict[int, SignatureInput] = {}  # by party
    now = timezone.now()
    for index, signature in enumerate(signatures):
        if signature.party not in parties:
            errors[f"signatures.{index}.party"] = [_("Not a party of this mediation.")]
        elif signature.party in signed:
            errors[f"signatures.{index}.party"] = [_("This party has already signed.")]
        if signature.method not in AgreementSignature.Method.values:
            errors[f"signatures.{index}.method"] = [_("Handwritten or electronic.")]
        if signature.signed_at > now:
            errors[f"signatures.{index}.signed_at"] = [_("A signature cannot be dated in the future.")]
        # Signatures are entered to the minute: one in the minute the mediation was opened is not earlier.
        elif signature.signed_at < mediation.created_at.replace(second=0, microsecond=0):
            errors[f"signatures.{index}.signed_at"] = [_("A signature cannot predate the mediation.")]
        signed.setdefault(signature.party, signature)
    unsigned = [party for pk, party in parties.items() if pk not in signed]
    if unsigned:
        errors.setdefault("signatures", []).append(
            _("Every party must sign; not signed: %(names)s.")
            % {"names": join_list(party.name for party in unsigned)}
        )
    if signed and effective_on and not any(key.startswith("signatures.") for key in errors):
        last = max(signature.signed_at for signature in signed.values()).astimezone(
            timezone.get_current_timezone()
        )
        if effective_on < last.date():
            errors["effective_on"] = [_("The agreement cannot take effect before the last signature.")]
        elif effective_on > last.date() + dt.timedelta(days=MAX_DAYS_TO_EFFECT):
            # A mistyped year would put the 30 days to apply for confirmation (CPL 205) out of reach.
            errors["effective_on"] = [
                _("The agreement takes effect at most 30 days after the last signature.")
            ]
    return terms, errors


def mediation_agree(
    *,
    mediation_id: int,
    actor,
    terms: str,
    amount: Decimal | None,
    payments: list[PaymentInput],
    signatures: list[SignatureInput],
    effective_on: dt.date,
    reason: str = "",
    replaces: int | None = None,
) -> Agreement:
    """The parties agreed and signed: the agreement is recorded and the mediation ends agreed. On an agreed
    mediation this replaces the agreement in force, which the caller names (`replaces`: so two judges
    recording at once cannot replace an agreement one of them never saw), with a reason, unless the parties
    applied to confirm
    it (the court would be confirming another text)."""
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        require(permissions.may_run(actor, mediation))
        replacing = mediation.state == Mediation.State.AGREED
        if not replacing and mediation.state != Mediation.State.IN_SESSION:
            if mediation.state == Mediation.State.ACCEPTED:
                raise ValidationError({"state": [_("Schedule a session before recording an agreement.")]})
            raise closed(mediation)
        if not replacing:
            require_within_period(mediation, field_name="state")
        parties = {party.pk: party for party in MediationParty.objects.filter(mediation=mediation)}
        terms, errors = _clean(
            mediation=mediation,
            terms=terms,
            amount=amount,
            payments=payments,
            signatures=signatures,
            effective_on=effective_on,
            parties=parties,
        )
        previous = None
        if replacing:
            previous = Agreement.objects.select_for_update(of=("self",)).get(
                mediation=mediation, state=Agreement.State.IN_FORCE
            )
            reason = clean_reason(reason)
            if replaces != previous.pk:
                errors["replaces"] = [
                    _("An agreement is already in force (no. %(id)s): name it to replace it.")
                    % {"id": previous.pk}
                ]
            if Confirmation.objects.filter(
                agreement=previous, state__in=(*CONFIRMATION_OPEN, "confirmed")
            ).exists():
                errors["reason"] = [
                    _("The agreement in force is before the court for confirmation: it cannot be replaced.")
                ]
        if errors:
            raise ValidationError(errors)
        if previous is not None:
            transition(
                previous,
                transitions=AGREEMENT_TRANSITIONS,
                to_state=Agreement.State.SUPERSEDED,
                action="agreement.supersede",
                actor=actor,
                reason=reason,
            )
        agreement = Agreement.objects.create(
            mediation=mediation,
            terms=terms,
            amount=amount,
            effective_on=effective_on,
            replaces=previous,
            replacement_reason=reason if previous else "",
            created_by=actor,
        )
        AgreementPayment.objects.bulk_create(
            [
                AgreementPayment(
                    agreement=agreement, position=index, due_on=payment.due_on, amount=payment.amount
                )
                for index, payment in enumerate(payments)
            ]
        )
        AgreementSignature.objects.bulk_create(
            [
                AgreementSignature(
                    agreement=agreement,
                    party=parties[signature.party],
                    signed_at=signature.signed_at,
                    method=signature.method,
                )
                for signature in signatures
            ]
        )
        record_event(
            subject=agreement,
            action="agreement.sign",
            actor=actor,
            to_state=agreement.state,
            payload={
                "mediation": mediation.pk,
                "amount": str(amount) if amount is not None else None,
                "effective_on": effective_on.isoformat(),
                "replaces": previous.pk if previous else None,
            },
        )
        if not replacing:
            mediation.ended_at = timezone.now()
            mediation_transition(
                mediation,
                to_state=Mediation.State.AGREED,
                action="mediation.agree",
                actor=actor,
                payload={"agreement": agreement.pk, "effective_on": effective_on.isoformat()},
                update_fields=("ended_at",),
            )
            sessions_cancel_for_end(mediation, actor=actor, actor_court=acting_court(actor))
        else:
            assert previous is not None  # read above when replacing
            record_event(
                subject=mediation,
                action="mediation.replace_agreement",
                actor=actor,
                from_state=mediation.state,
                to_state=mediation.state,
                reason=reason,
                payload={"agreement": agreement.pk, "replaces": previous.pk},
            )
        tell_other_courts(mediation, actor_court=acting_court(actor), note="agreed")
    return agreement
