"""Entrusted preservation (委托保全, DOMAIN.md): seal, seize or freeze property within the amount the ruling
allows (CPL 105). Urgent requests are carried out within 48 hours, others within 5 days of receipt; each
measure comes back with what was actually preserved and until when (Interp 485 terms)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case, Party, PreservationMeasure, PreservationRequest
from cases.services.filings import MAX_CLAIM_AMOUNT
from cases.services.requests import (
    check_new_request,
    locked,
    notify_other_side,
    request_send,
    request_transition,
    require,
    require_accepted,
)
from courts.legal_calendar import add_months
from courts.models import Court
from courts.personal_data import personal_data_access_log, seal, unseal

MAX_MEASURES = 30
# How long a measure holds before it must be renewed (Interp 485: deposits 1 year, movables 2, real estate 3;
# equity follows the 3 years of the SPC's provisions on freezing equity). Keyed by str: a measure's
# `property_type` is the stored value (a str), which finds the choice it equals.
TERM_YEARS: dict[str, int] = {
    PreservationMeasure.PropertyType.BANK_DEPOSIT: 1,
    PreservationMeasure.PropertyType.MOVABLE: 2,
    PreservationMeasure.PropertyType.REAL_ESTATE: 3,
    PreservationMeasure.PropertyType.EQUITY: 3,
    PreservationMeasure.PropertyType.OTHER: 3,  # Interp 485: other property rights, 3 years
}


@dataclass
class MeasureInput:
    type: str
    property_type: str
    registry: str
    amount: Decimal
    account: str = ""


def preservation_request_create(
    *,
    actor,
    case: Case,
    entrusted_court: Court,
    respondent: Party | None,
    urgent: bool,
    stage: str,
    allowed_amount: Decimal,
    ruling_number: str,
    measures: list[MeasureInput],
    ruling_date: dt.date | None = None,
) -> PreservationRequest:
    errors = check_new_request(
        actor=actor, case=case, entrusted_court=entrusted_court, party=respondent, party_field="respondent"
    )
    if stage not in PreservationRequest.Stage.values:
        errors["stage"] = [_("The stage is before suit or during the suit.")]
    if allowed_amount is None or not Decimal("0") < allowed_amount <= MAX_CLAIM_AMOUNT:
        errors["allowed_amount"] = [_("The amount must be above 0 and at most 100,000,000,000 yuan.")]
    ruling_number = (ruling_number or "").strip()
    if not ruling_number or len(ruling_number) > 60:
        errors["ruling_number"] = [_("Give the ruling's case number (at most 60 characters).")]
    if ruling_date and ruling_date > timezone.localdate():
        errors["ruling_date"] = [_("The ruling cannot be dated in the future.")]
    if not measures:
        errors["measures"] = [_("List at least one measure.")]
    elif len(measures) > MAX_MEASURES:
        errors["measures"] = [_("At most 30 measures.")]
    for index, measure in enumerate(measures[:MAX_MEASURES]):
        for field, message in _measure_errors(measure, allowed_amount).items():
            errors[f"measures.{index}.{field}"] = [message]
    if errors:
        raise ValidationError(errors)

    return request_send(
        PreservationRequest,
        actor=actor,
        case=case,
        entrusted_court=entrusted_court,
        fields={
            "respondent": respondent,
            "urgent": urgent,
            "stage": stage,
            "allowed_amount": allowed_amount,
            "ruling_number": ruling_number,
            "ruling_date": ruling_date,
        },
        parts=[_measure(m) for m in measures],
        payload={"urgent": urgent},
    )


def _measure(measure: MeasureInput) -> PreservationMeasure:
    account = seal(measure.account or "")
    return PreservationMeasure(
        type=measure.type,
        property_type=measure.property_type,
        registry=measure.registry.strip(),
        account_cipher=account.ciphertext,
        account_masked=account.masked,
        amount=measure.amount,
    )


def measure_accounts_shown(
    *, user, request: PreservationRequest, measures, address: str = ""
) -> dict[int, str]:
    """Each measure's account or certificate number as `user` may see it: in full for the officers carrying
    the measure out and the staff who asked for it, with one line in the access log for the lot; masked for
    anyone else. Keyed by measure id."""
    if not permissions.may_see_accounts(user, request):
        return {measure.pk: measure.account_masked for measure in measures}
    shown = {measure.pk: unseal(measure.account_cipher) for measure in measures}
    if any(shown.values()):
        personal_data_access_log(
            user=user, subject=request, fields=["account"], purpose="preservation measures", address=address
        )
    return shown


def _measure_errors(measure: MeasureInput, allowed_amount: Decimal | None) -> dict[str, str]:
    errors = {}
    if measure.type not in PreservationMeasure.Type.values:
        errors["type"] = _("The measure is seal, seize, freeze or other.")
    if measure.property_type not in PreservationMeasure.PropertyType.values:
        errors["property_type"] = _("Unknown kind of property.")
    measure.registry = (measure.registry or "").strip()
    if not measure.registry or len(measure.registry) > 100:
        errors["registry"] = _("Name the registry or bank (at most 100 characters).")
    if len(measure.account or "") > 100:
        errors["account"] = _("At most 100 characters.")
    if measure.amount is None or measure.amount <= 0:
        errors["amount"] = _("The amount must be above 0.")
    elif allowed_amount is not None and measure.amount > allowed_amount:
        errors["amount"] = _("A measure cannot exceed the amount the ruling allows (CPL 105).")
    return errors


@dataclass
class MeasureResult:
    measure: int
    result: str  # done | failed
    amount_done: Decimal | None = None
    term_ends_on: dt.date | None = None
    receipt: str = ""
    failure_reason: str = ""


def preservation_request_report(
    *, request_id: int, actor, results: list[MeasureResult]
) -> PreservationRequest:
    """Report what was sealed, seized or frozen, for how much and until when. The total actually preserved
    never exceeds the amount the ruling allows: the report is refused whole."""
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        request = locked(PreservationRequest, request_id)
        require(permissions.may_handle(actor, request))
        require_accepted(request)
        measures = {m.pk: m for m in request.measures.select_for_update()}
        errors: dict[str, list[str]] = {}
        reported: set[int] = set()
        for index, result in enumerate(results):
            measure = measures.get(result.measure)
            if measure is None or result.measure in reported:
                errors[f"measures.{index}.measure"] = [_("Not a measure of this request, or reported twice.")]
                continue
            reported.add(result.measure)
            for field, message in _result_errors(measure, result, today).items():
                errors[f"measures.{index}.{field}"] = [message]
        missing = [pk for pk, m in measures.items() if pk not in reported and m.result == m.Result.PENDING]
        if missing:
            errors["measures"] = [_("Report every measure of the request.")]
        total = sum((r.amount_done for r in results if r.result == "done" and r.amount_done), Decimal("0"))
        already = _preserved_under_same_ruling(request)
        if not errors and already + total > request.allowed_amount:
            errors["measures"] = [
                _("In all %(total)s would be preserved, above the %(allowed)s the ruling allows (CPL 105).")
                % {"total": already + total, "allowed": request.allowed_amount}
            ]
        if errors:
            raise ValidationError(errors)

        for result in results:
            measure = measures[result.measure]
            measure.result = result.result
            if result.result == "done":
                measure.amount_done = result.amount_done
                measure.term_ends_on = result.term_ends_on or add_months(
                    today, 12 * TERM_YEARS[measure.property_type]
                )
                measure.receipt = result.receipt.strip()
            else:
                measure.failure_reason = result.failure_reason.strip()
        PreservationMeasure.objects.bulk_update(
            measures.values(), ["result", "amount_done", "term_ends_on", "receipt", "failure_reason"]
        )
        done = [m for m in measures.values() if m.result == "done"]
        if len(done) == len(measures):
            to_state = PreservationRequest.State.CARRIED_OUT
        elif done:
            to_state = PreservationRequest.State.PARTLY_CARRIED_OUT
        else:
            to_state = PreservationRequest.State.FAILED
        now = timezone.now()
        request.reported_at = now
        request.carried_out_at = now if done else None
        request_transition(
            request,
            to_state=to_state,
            action="preservation_request.report",
            actor=actor,
            payload={"preserved": str(total), "measures_done": len(done), "measures": len(measures)},
            update_fields=("reported_at", "carried_out_at"),
        )
        notify_other_side(request, to=request.requesting_court)
    return request


def _preserved_under_same_ruling(request: PreservationRequest) -> Decimal:
    """What other requests under the same ruling have already preserved: the cap (CPL 105) is the ruling's,
    however many courts are asked. Their rows are locked (in id order, so two reports cannot deadlock) until
    this report commits, so two reports at once cannot both fit under the cap."""
    siblings = list(
        PreservationRequest.objects.select_for_update(of=("self",))
        .filter(case_id=request.case_id, ruling_number=request.ruling_number)
        .exclude(pk=request.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = PreservationMeasure.objects.filter(request_id__in=siblings, result=PreservationMeasure.Result.DONE)
    return done.aggregate(total=Sum("amount_done"))["total"] or Decimal("0")


def _result_errors(measure: PreservationMeasure, result: MeasureResult, today: dt.date) -> dict[str, str]:
    errors = {}
    if result.result == "done":
        if result.amount_done is None or result.amount_done <= 0:
            errors["amount_done"] = _("Give the amount actually preserved.")
        elif result.amount_done > measure.amount:
            errors["amount_done"] = _("More than this measure asked for.")
        if not result.receipt.strip():
            errors["receipt"] = _("Give the registry's or bank's receipt.")
        longest = add_months(today, 12 * TERM_YEARS[measure.property_type])
        if result.term_ends_on and not today < result.term_ends_on <= longest:
            errors["term_ends_on"] = _("The term ends after today and at most %(years)d years from now.") % {
                "years": TERM_YEARS[measure.property_type]
            }
    elif result.result == "failed":
        if not result.failure_reason.strip():
            errors["failure_reason"] = _("Say why the measure could not be carried out.")
    else:
        errors["result"] = _("The result is done or failed.")
    if len(result.receipt) > 100 or len(result.failure_reason) > 200:
        errors["receipt"] = _("Too long.")
    return errors
