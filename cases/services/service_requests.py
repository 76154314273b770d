"""Entrusted service (委托送达, DOMAIN.md): the requesting court sends the documents to serve; the entrusted
court must serve within 10 days of receiving them (Interp 134), records each attempt as the service receipt
(送达回证) does, and reports the result back. A failed attempt goes back with its reason at once, so the
requesting court can choose post or public notice."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases import permissions
from cases.models import Case, Party, ServiceAttempt, ServiceDocument, ServiceMethod, ServiceRequest
from cases.services.requests import (
    check_new_request,
    locked,
    notify_other_side,
    request_send,
    request_transition,
    require,
    require_accepted,
)
from courts.messages import Message
from courts.models import Court
from courts.timeline import record_event

MAX_DOCUMENTS = 30
# A clock a few minutes fast at the service desk is not a future date.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass
class DocumentInput:
    name: str
    copies: int = 1
    reference: str = ""


def service_request_create(
    *,
    actor,
    case: Case,
    entrusted_court: Court,
    recipient: Party | None,
    address: str,
    documents: list[DocumentInput],
    method: str,
    letter_number: str = "",
) -> ServiceRequest:
    errors = check_new_request(
        actor=actor, case=case, entrusted_court=entrusted_court, party=recipient, party_field="recipient"
    )
    address = (address or "").strip()
    if not address:
        errors["address"] = [_("Give the address for service.")]
    elif len(address) > 200:
        errors["address"] = [_("At most 200 characters.")]
    if method not in ServiceMethod.values:
        errors["method"] = [_("Unknown method of service.")]
    elif method == ServiceMethod.ELECTRONIC and recipient is not None and not recipient.e_service_consent:
        errors["method"] = [_("Electronic service needs the recipient's consent, which is not on record.")]
    if not documents:
        errors["documents"] = [_("List the documents to serve.")]
    elif len(documents) > MAX_DOCUMENTS:
        errors["documents"] = [_("At most 30 documents.")]
    for index, document in enumerate(documents[:MAX_DOCUMENTS]):
        document.name = (document.name or "").strip()
        if not document.name or len(document.name) > 100:
            errors[f"documents.{index}.name"] = [_("Name the document (at most 100 characters).")]
        if not 1 <= document.copies <= 100:
            errors[f"documents.{index}.copies"] = [_("Between 1 and 100 copies.")]
    if len(letter_number) > 60:
        errors["letter_number"] = [_("At most 60 characters.")]
    if errors:
        raise ValidationError(errors)

    return request_send(
        ServiceRequest,
        actor=actor,
        case=case,
        entrusted_court=entrusted_court,
        fields={
            "recipient": recipient,
            "address": address,
            "method": method,
            "letter_number": letter_number.strip(),
        },
        parts=[
            ServiceDocument(name=d.name, copies=d.copies, reference=d.reference.strip()[:60])
            for d in documents
        ],
    )


@dataclass
class AttemptInput:
    method: str
    result: str
    served_at: dt.datetime
    place: str
    signer: str = ""
    relation: str = ""
    reason: str = ""
    refusal_reason: str = ""
    witness: str = ""
    officers: str = ""
    remarks: str = ""


def _clean_attempt(request: ServiceRequest, attempt: AttemptInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if attempt.method not in ServiceMethod.values:
        errors["method"] = [_("Unknown method of service.")]
    elif attempt.method == ServiceMethod.ELECTRONIC and not request.recipient.e_service_consent:
        errors["method"] = [_("Electronic service needs the recipient's consent, which is not on record.")]
    if attempt.result not in ServiceAttempt.Result.values:
        errors["result"] = [_("The result is served or failed.")]
    if attempt.served_at > timezone.now() + CLOCK_SKEW:
        errors["served_at"] = [_("The time of the attempt cannot be in the future.")]
    # Attempt times are entered to the minute; receipt is stored to the microsecond.
    elif request.received_at and attempt.served_at < request.received_at.replace(second=0, microsecond=0):
        errors["served_at"] = [_("The attempt cannot be before the request was received.")]
    attempt.place = attempt.place.strip()
    if not attempt.place:
        errors["place"] = [_("Give the place of the attempt.")]
    if attempt.result == ServiceAttempt.Result.FAILED:
        if attempt.reason not in ServiceAttempt.FailureReason.values:
            errors["reason"] = [_("Give the reason: not found, refused, moved, wrong address or other.")]
    elif attempt.result == ServiceAttempt.Result.SERVED:
        if attempt.method in (ServiceMethod.DIRECT, ServiceMethod.PROXY) and not attempt.signer.strip():
            errors["signer"] = [_("Who signed the service receipt?")]
        if attempt.method == ServiceMethod.PROXY and not attempt.relation.strip():
            errors["relation"] = [_("Give the signer's relation to the recipient.")]
        if attempt.method == ServiceMethod.LEFT and not (attempt.witness.strip() or attempt.remarks.strip()):
            errors["witness"] = [
                _("Documents left at the address need a witness, or a note of the photo or video.")
            ]
    for field, limit in (("signer", 100), ("relation", 60), ("witness", 100), ("officers", 100)):
        if len(getattr(attempt, field)) > limit:
            errors[field] = [_("At most %(limit)d characters.") % {"limit": limit}]
    if len(attempt.refusal_reason) > 200 or len(attempt.place) > 200:
        errors["place" if len(attempt.place) > 200 else "refusal_reason"] = [_("At most 200 characters.")]
    if len(attempt.remarks) > 2000:
        errors["remarks"] = [_("At most 2000 characters.")]
    return errors


def service_date(attempt: AttemptInput) -> dt.date:
    """The date service takes effect (DOMAIN.md): the date signed or left; electronic service when it reached
    the recipient's system; post, the postal receipt's date. The officer enters that moment as `served_at`."""
    return timezone.localtime(attempt.served_at).date()


def service_request_report_attempt(*, request_id: int, actor, attempt: AttemptInput) -> ServiceAttempt:
    with transaction.atomic(durable=True):
        request = locked(ServiceRequest, request_id)
        require(permissions.may_handle(actor, request))
        require_accepted(request)
        errors = _clean_attempt(request, attempt)
        if errors:
            raise ValidationError(errors)
        served = attempt.result == ServiceAttempt.Result.SERVED
        record = ServiceAttempt.objects.create(
            request=request,
            method=attempt.method,
            result=attempt.result,
            attempted_at=attempt.served_at,
            place=attempt.place,
            signer=attempt.signer.strip(),
            relation=attempt.relation.strip(),
            reason="" if served else attempt.reason,
            refusal_reason=attempt.refusal_reason.strip(),
            witness=attempt.witness.strip(),
            officers=attempt.officers.strip() or (actor.get_full_name() or actor.username),
            remarks=attempt.remarks.strip(),
            served_on=service_date(attempt) if served else None,
            recorded_by=actor,
        )
        payload = {"attempt": record.pk, "method": record.method, "result": record.result}
        if served:
            assert record.served_on is not None, "a served attempt has its date (service_date)"
            payload["served_on"] = record.served_on.isoformat()  # the public status's date of service
            request.served_on, request.reported_at = record.served_on, timezone.now()
            request_transition(
                request,
                to_state=ServiceRequest.State.SERVED,
                action="service_request.serve",
                actor=actor,
                payload=payload,
                update_fields=("served_on", "reported_at"),
            )
        else:
            # Travels in the delivery as a message, read by the requesting court in its reader's language.
            note = Message(
                gettext_noop("attempt failed: %(reason)s"),
                reason=ServiceAttempt.FailureReason(record.reason).label,
            ).as_json()
            record_event(
                subject=request,
                action="service_request.attempt_failed",
                actor=actor,
                from_state=request.state,
                to_state=request.state,
                reason=record.get_reason_display(),
                payload=payload,
            )
        notify_other_side(request, to=request.requesting_court, note="" if served else note)
    return record


def service_request_report_failure(
    *, request_id: int, actor, reason: str, remarks: str = ""
) -> ServiceRequest:
    """Service could not be done: the result goes back with its reason."""
    if reason not in ServiceAttempt.FailureReason.values:
        raise ValidationError(
            {"reason": [_("Give the reason: not found, refused, moved, wrong address or other.")]}
        )
    with transaction.atomic(durable=True):
        request = locked(ServiceRequest, request_id)
        require(permissions.may_handle(actor, request))
        require_accepted(request)
        request.failure_reason, request.reported_at = reason, timezone.now()
        request.reason = remarks.strip()[:2000]
        request_transition(
            request,
            to_state=ServiceRequest.State.FAILED,
            action="service_request.fail",
            actor=actor,
            reason=str(ServiceAttempt.FailureReason(reason).label),
            payload={"reason": reason},
            update_fields=("failure_reason", "reported_at", "reason"),
        )
        notify_other_side(request, to=request.requesting_court)
    return request
