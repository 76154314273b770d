"""What a court does when filing work is delivered to it (registered in CasesConfig.ready)."""

from django.utils.translation import gettext_lazy, gettext_noop

from cases.models import Filing, ServiceRequest
from cases.services import filings, requests
from courts.delivery import register_handler
from courts.legal_calendar import COURT_TZ
from courts.messages import CourtName, Message
from courts.models import Delivery, Role
from courts.notifications import notify_court, notify_users


def _filing(delivery: Delivery) -> Filing:
    return Filing.objects.select_related("collaborating_court", "case").get(pk=delivery.payload["filing"])


def on_submitted(delivery: Delivery) -> None:
    filing = filings.filing_receive(filing_id=delivery.payload["filing"], court=delivery.court)
    if filing is not None:
        notify_court(
            court=delivery.court,
            role=Role.FILING_CLERK,
            title=Message(
                gettext_noop("New cross-region filing %(receipt)s from %(court)s"),
                receipt=filing.receipt_number,
                court=CourtName(filing.collaborating_court),
            ),
            body=f"{filing.cause}",
            url=f"/filings/{filing.pk}/",
            delivery=delivery,
        )


def on_resubmitted(delivery: Delivery) -> None:
    filing = filings.filing_receive_resubmission(filing_id=delivery.payload["filing"])
    if filing is not None:
        notify_court(
            court=delivery.court,
            role=Role.FILING_CLERK,
            title=Message(
                gettext_noop("Corrected filing %(receipt)s arrived"), receipt=filing.receipt_number
            ),
            url=f"/filings/{filing.pk}/",
            delivery=delivery,
        )


def on_outcome(delivery: Delivery) -> None:
    """The collaborating court hears the decision at once, so the window can tell the litigant."""
    filing = _filing(delivery)
    state_label = Filing.State(delivery.payload["state"]).label
    case = getattr(filing, "case", None)
    title = Message(
        gettext_noop("Filing %(receipt)s: %(outcome)s %(case_number)s"),
        receipt=filing.receipt_number,
        outcome=state_label,
        case_number=case.number if case is not None else "",
    )
    notify_court(
        court=delivery.court,
        role=Role.WINDOW_CLERK,
        title=title,
        url=f"/filings/{filing.pk}/",
        delivery=delivery,
    )


def on_withdrawn(delivery: Delivery) -> None:
    filing = _filing(delivery)
    notify_court(
        court=delivery.court,
        role=Role.FILING_CLERK,
        title=Message(
            gettext_noop("Filing %(receipt)s was withdrawn by the litigant"), receipt=filing.receipt_number
        ),
        url=f"/filings/{filing.pk}/",
        delivery=delivery,
    )


def on_request_sent(delivery: Delivery) -> None:
    """A request from another court arrives: its clock starts and the officers hear of it."""
    model = requests.MODELS[delivery.kind.split(".")[0]]
    request = requests.request_receive(model, delivery.payload["request"])
    if request is None:
        return
    kind = gettext_lazy("service") if model is ServiceRequest else gettext_lazy("preservation")
    urgent = gettext_lazy(" (URGENT, 48 hours)") if getattr(request, "urgent", False) else ""
    notify_court(
        court=delivery.court,
        role=Role.OFFICER,
        title=Message(
            gettext_noop("%(court)s asks for %(kind)s%(urgent)s: %(reference)s, due %(due)s"),
            court=CourtName(request.requesting_court),
            kind=kind,
            urgent=urgent,
            reference=request.reference,
            due=request.due_at.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M"),
        ),
        url=request_url(request),
        delivery=delivery,
    )


def on_request_changed(delivery: Delivery) -> None:
    """The other court changed a request: tell whoever on this side follows it, or, if that person has left
    or nobody took it yet, the court's staff of the right role."""
    model = requests.MODELS[delivery.payload["model"]]
    request = model.objects.select_related("created_by", "officer").get(pk=delivery.payload["request"])
    what = delivery.payload.get("note") or model.State(delivery.payload["state"]).label
    title = Message(gettext_noop("%(reference)s: %(state)s"), reference=request.reference, state=what)
    if delivery.court.pk == request.requesting_court_id:
        person, role = request.created_by, Role.FILING_CLERK
    elif request.state == model.State.CANCELLED and request.received_at is None:
        return  # cancelled before it arrived: nobody there ever saw it
    else:
        person, role = request.officer, Role.OFFICER
    notices = notify_users(
        recipients=[person], court=delivery.court, title=title, url=request_url(request), delivery=delivery
    )
    if not notices:
        notify_court(
            court=delivery.court, role=role, title=title, url=request_url(request), delivery=delivery
        )


def request_url(request) -> str:
    kind = "service" if isinstance(request, ServiceRequest) else "preservation"
    return f"/requests/{kind}/{request.pk}/"


def register() -> None:
    register_handler(filings.SUBMITTED, on_submitted)
    register_handler(filings.RESUBMITTED, on_resubmitted)
    register_handler(filings.OUTCOME, on_outcome)
    register_handler(filings.WITHDRAWN, on_withdrawn)
    for kind in requests.SENT_KINDS.values():
        register_handler(kind, on_request_sent)
    register_handler(requests.CHANGED_KIND, on_request_changed)
