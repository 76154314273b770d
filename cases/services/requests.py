"""What service and preservation requests share: receiving, accepting, returning, cancelling, acknowledging
and attaching files. Every change goes through `request_transition`, in one transaction, with a timeline
event; the other court hears of it through a Delivery row written in that transaction (courts.delivery)."""

import datetime as dt
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    PRESERVATION_TRANSITIONS,
    SERVICE_TRANSITIONS,
    PreservationRequest,
    RequestAttachment,
    ServiceAttempt,
    ServiceRequest,
)
from courts.delivery import delivery_send
from courts.errors import ActionForbidden
from courts.legal_calendar import COURT_TZ, compute_deadline
from courts.models import Court
from courts.notifications import notifications_settle
from courts.services import sequence_next
from courts.state_machine import transition
from courts.timeline import record_event
from courts.uploads import checked_scan, stored_file

EntrustedRequest = ServiceRequest | PreservationRequest
# Either kind of request: a helper given ServiceRequest (the class or a row) returns a ServiceRequest.
RequestT = TypeVar("RequestT", ServiceRequest, PreservationRequest)
FINISHED = ("closed", "cancelled", "returned")

TRANSITIONS = {ServiceRequest: SERVICE_TRANSITIONS, PreservationRequest: PRESERVATION_TRANSITIONS}
# Timeline action prefixes and delivery kinds, by model.
NAMES = {ServiceRequest: "service_request", PreservationRequest: "preservation_request"}
MODELS = {name: model for model, name in NAMES.items()}
REFERENCE_PREFIX = {ServiceRequest: "WS", PreservationRequest: "BQ"}  # 委送, 保全
SENT_KINDS = {model: f"{name}.sent" for model, name in NAMES.items()}
CHANGED_KIND = "entrusted_request.changed"


def request_transition(request: RequestT, **change) -> RequestT:
    """The one way a request changes state (courts.state_machine), by its own machine's map."""
    return transition(request, transitions=TRANSITIONS[type(request)], **change)


def locked(model: type[RequestT], request_id: int) -> RequestT:
    # of=("self",): lock the request alone, not the joined courts and case (see filings._locked).
    return (
        model.objects.select_for_update(of=("self",))
        .select_related("requesting_court", "entrusted_court", "case")
        .get(pk=request_id)
    )


def require_accepted(request: EntrustedRequest) -> None:
    """Reporting on a request nobody has accepted is bad input for this request (400), not a transition."""
    if request.state != "accepted":
        raise ValidationError({"state": [_("An officer must accept the request before reporting on it.")]})


def require(allowed: bool) -> None:
    if not allowed:
        raise ActionForbidden()


def new_reference(model, court: Court) -> str:
    day = timezone.now().astimezone(COURT_TZ).date()
    number = sequence_next(f"{NAMES[model]}:{court.code}:{day.isoformat()}")
    return f"{REFERENCE_PREFIX[model]}{court.region_code}-{day:%Y%m%d}-{number:04d}"


def check_new_request(
    *, actor, case, entrusted_court: Court, party, party_field: str
) -> dict[str, list[str]]:
    """Checks common to creating either kind of request; returns field errors."""
    require(permissions.may_request(actor, case))
    errors: dict[str, list[str]] = {}
    if entrusted_court.pk == case.court_id:
        errors["entrusted_court"] = [_("The entrusted court must be another court than the requesting one.")]
    elif not entrusted_court.is_active:
        errors["entrusted_court"] = [_("That court does not take requests in this system.")]
    if party is None or party.case_id != case.pk:
        errors[party_field] = [_("Choose a party of this case.")]
    return errors


def request_send(model, *, actor, case, entrusted_court: Court, fields: dict, parts: list, payload=None):
    """Write a new request with its parts (documents or measures), its timeline event and its delivery to the
    entrusted court, in one transaction. The caller has checked everything."""
    with transaction.atomic(durable=True):
        request = model.objects.create(
            reference=new_reference(model, case.court),
            requesting_court=case.court,
            entrusted_court=entrusted_court,
            case=case,
            created_by=actor,
            **fields,
        )
        for part in parts:
            part.request = request
        if parts:
            type(parts[0]).objects.bulk_create(parts)
        record_event(
            subject=request,
            action=f"{NAMES[model]}.send",
            actor=actor,
            to_state=request.state,
            payload={
                "reference": request.reference,
                "entrusted_court": entrusted_court.code,
                **(payload or {}),
            },
        )
        delivery_send(court=entrusted_court, kind=SENT_KINDS[model], payload={"request": request.pk})
    return request


def notify_other_side(request: EntrustedRequest, *, to: Court, note: str | dict = "") -> None:
    """Tell the other court of a change it must see; the handler picks whom (cases.handlers). `note` says
    what happened when the state alone does not (a failed attempt and its reason)."""
    delivery_send(
        court=to,
        kind=CHANGED_KIND,
        payload={"model": NAMES[type(request)], "request": request.pk, "state": request.state, "note": note},
    )


def request_receive(model, request_id: int) -> EntrustedRequest | None:
    """Delivered into the entrusted court: the clock starts (run by the delivery, in its transaction)."""
    request = locked(model, request_id)
    if request.state != model.State.SENT:
        return None  # cancelled before it arrived
    now = timezone.now()
    request.received_at = now
    deadline = due_after_receipt(request, now)
    request.due_at, request.due_calendar_known = deadline.due, deadline.calendar_known
    request.acceptance_due_at = compute_deadline(now, 1, "working_days").due
    if runs_on_48_hours(request):
        request.acceptance_due_at = min(
            request.acceptance_due_at, now + dt.timedelta(hours=URGENT_ACCEPTANCE_HOURS)
        )
    return request_transition(
        request,
        to_state=model.State.RECEIVED,
        action=f"{NAMES[model]}.receive",
        actor_court=request.entrusted_court,
        payload={"due_at": request.due_at.isoformat()},
        update_fields=("received_at", "due_at", "due_calendar_known", "acceptance_due_at"),
    )


def due_after_receipt(request: EntrustedRequest, received_at: dt.datetime):
    if isinstance(request, ServiceRequest):
        return compute_deadline(received_at, 10, "days")  # Interp 134: serve within 10 days of receipt
    if runs_on_48_hours(request):
        return compute_deadline(received_at, 48, "hours")  # CPL 103/104: urgent or pre-suit, within 48 hours
    return compute_deadline(received_at, 5, "days")


def runs_on_48_hours(request: EntrustedRequest) -> bool:
    return isinstance(request, PreservationRequest) and (
        request.urgent or request.stage == PreservationRequest.Stage.PRE_SUIT
    )


# On a 48-hour clock a whole working day to accept would leave nothing to do the work in: the entrusted
# court's administrators hear of an unaccepted urgent request after a few hours instead.
URGENT_ACCEPTANCE_HOURS = 4


def request_accept(model, *, request_id: int, actor) -> EntrustedRequest:
    with transaction.atomic(durable=True):
        request = locked(model, request_id)
        require(permissions.may_handle(actor, request))
        request.accepted_at, request.officer = timezone.now(), actor
        request_transition(
            request,
            to_state=model.State.ACCEPTED,
            action=f"{NAMES[model]}.accept",
            actor=actor,
            update_fields=("accepted_at", "officer"),
        )
        notify_other_side(request, to=request.requesting_court)
    return request


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("At most 2000 characters.")]})
    return reason


def request_return(model, *, request_id: int, actor, reason: str) -> EntrustedRequest:
    """The entrusted court sends it back (not its district, documents incomplete...)."""
    reason = _reason(reason)
    with transaction.atomic(durable=True):
        request = locked(model, request_id)
        require(permissions.may_handle(actor, request))
        request.reason = reason
        request_transition(
            request,
            to_state=model.State.RETURNED,
            action=f"{NAMES[model]}.return",
            actor=actor,
            reason=reason,
            update_fields=("reason",),
        )
        notify_other_side(request, to=request.requesting_court)
        settle_request_notices(request)
    return request


def request_cancel(model, *, request_id: int, actor, reason: str = "") -> EntrustedRequest:
    with transaction.atomic(durable=True):
        request = locked(model, request_id)
        require(permissions.may_manage_sent(actor, request))
        request.reason = (reason or "").strip()[:2000]
        request_transition(
            request,
            to_state=model.State.CANCELLED,
            action=f"{NAMES[model]}.cancel",
            actor=actor,
            reason=request.reason,
            update_fields=("reason",),
        )
        notify_other_side(request, to=request.entrusted_court)
        settle_request_notices(request)
    return request


def request_acknowledge(model, *, request_id: int, actor) -> EntrustedRequest:
    """The requesting court has taken note of the result: closed."""
    with transaction.atomic(durable=True):
        request = locked(model, request_id)
        require(permissions.may_manage_sent(actor, request))
        request.closed_at = timezone.now()
        request_transition(
            request,
            to_state=model.State.CLOSED,
            action=f"{NAMES[model]}.acknowledge",
            actor=actor,
            update_fields=("closed_at",),
        )
        notify_other_side(request, to=request.entrusted_court)
        settle_request_notices(request)
    return request


def settle_request_notices(request: EntrustedRequest) -> None:
    """The request is finished (acknowledged, cancelled, returned): its notices are read at both courts."""
    notifications_settle(url=f"/requests/{URL_KINDS[type(request)]}/{request.pk}/")


URL_KINDS = {ServiceRequest: "service", PreservationRequest: "preservation"}


def request_attach(
    model, *, request_id: int, actor, upload, attempt_id: int | None = None
) -> RequestAttachment:
    """Documents to serve (requesting court) or receipts and photos (entrusted court), checked by content."""
    checked = checked_scan(upload)
    attachment = RequestAttachment(
        original_name=(upload.name or "scan")[-200:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        page_count=checked.page_count,
        uploaded_by=actor,
    )
    with stored_file(attachment.file, upload), transaction.atomic(durable=True):
        request = locked(model, request_id)
        require(permissions.may_attach_to_request(actor, request))
        if request.state in FINISHED:
            raise ValidationError({"file": [_("The request is finished: no more files can be added.")]})
        if attempt_id is not None:
            require(permissions.may_handle(actor, request))  # a receipt photo is the serving court's record
            attachment.attempt = ServiceAttempt.objects.filter(pk=attempt_id, request_id=request.pk).first()
            if model is not ServiceRequest or attachment.attempt is None:
                raise ValidationError({"attempt": [_("No such attempt on this request.")]})
        if model is ServiceRequest:
            attachment.service_request = request
        else:
            attachment.preservation_request = request
        attachment.save()
        record_event(
            subject=request,
            action=f"{NAMES[model]}.attach",
            actor=actor,
            from_state=request.state,
            to_state=request.state,
            payload={"attachment": attachment.pk, "name": attachment.original_name, "sha256": checked.sha256},
        )
    return attachment
