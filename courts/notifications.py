"""Tell a court's staff that work has arrived: an in-app notice for each, and an email after commit."""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from courts.models import Court, Delivery, Notification
from courts.selectors import staff_of_court

logger = logging.getLogger(__name__)


def notify_court(
    *, court: Court, role: str, title: str, body: str = "", url: str = "", delivery: Delivery | None = None
) -> list[Notification]:
    recipients = list(staff_of_court(court, role))
    notices = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, court=court, title=title[:200], body=body, url=url, delivery=delivery
            )
            for user in recipients
        ],
        ignore_conflicts=delivery is not None,  # a notice per person per delivery, never two
    )
    emails = [
        (title, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email])
        for user in recipients
        if user.email
    ]
    if emails:
        # Mail is a courtesy copy: it goes after commit, and a mail outage never undoes the delivery.
        transaction.on_commit(lambda: _send(emails))
    return notices


def _send(emails) -> None:
    try:
        send_mass_mail(emails, fail_silently=False)
    except Exception:
        logger.warning("could not send %d notification emails", len(emails), exc_info=True)
