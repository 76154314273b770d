"""Mediation's side of a filing diverted to pre-filing mediation (诉前调解). `cases` records the diversion and
delivers it here by name; importing cases from here keeps the one-way imports (mediation -> cases)."""

from django.utils.translation import gettext as _

from cases.models import Filing
from cases.services.filings import DIVERTED
from courts.delivery import register_handler
from courts.models import Delivery, Role
from courts.notifications import notify_court


def on_diverted(delivery: Delivery) -> None:
    """For now the court's judges hear of it; joint mediation itself arrives with its own issue."""
    filing = Filing.objects.get(pk=delivery.payload["filing"])
    notify_court(
        court=delivery.court,
        role=Role.JUDGE,
        title=_("Filing %(receipt)s awaits pre-filing mediation (accept within 3 working days)")
        % {"receipt": filing.receipt_number},
        url=f"/filings/{filing.pk}/",
        delivery=delivery,
    )


def register() -> None:
    register_handler(DIVERTED, on_diverted)
