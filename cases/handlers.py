"""What a court does when filing work is delivered to it (registered in CasesConfig.ready)."""

from django.utils.translation import gettext as _

from cases.models import Filing
from cases.services import filings
from courts.delivery import register_handler
from courts.models import Delivery, Role
from courts.notifications import notify_court


def _filing(delivery: Delivery) -> Filing:
    return Filing.objects.select_related("collaborating_court", "case").get(pk=delivery.payload["filing"])


def on_submitted(delivery: Delivery) -> None:
    filing = filings.filing_receive(filing_id=delivery.payload["filing"])
    if filing is not None:
        notify_court(
            court=delivery.court,
            role=Role.FILING_CLERK,
            title=_("New cross-region filing %(receipt)s from %(court)s")
            % {"receipt": filing.receipt_number, "court": filing.collaborating_court.short_name_zh},
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
            title=_("Corrected filing %(receipt)s arrived") % {"receipt": filing.receipt_number},
            url=f"/filings/{filing.pk}/",
            delivery=delivery,
        )


def on_outcome(delivery: Delivery) -> None:
    """The collaborating court hears the decision at once, so the window can tell the litigant."""
    filing = _filing(delivery)
    state_label = Filing.State(delivery.payload["state"]).label
    case = getattr(filing, "case", None)
    title = _("Filing %(receipt)s: %(outcome)s") % {"receipt": filing.receipt_number, "outcome": state_label}
    if case is not None:
        title = f"{title} {case.number}"
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
        title=_("Filing %(receipt)s was withdrawn by the litigant") % {"receipt": filing.receipt_number},
        url=f"/filings/{filing.pk}/",
        delivery=delivery,
    )


def register() -> None:
    register_handler(filings.SUBMITTED, on_submitted)
    register_handler(filings.RESUBMITTED, on_resubmitted)
    register_handler(filings.OUTCOME, on_outcome)
    register_handler(filings.WITHDRAWN, on_withdrawn)
