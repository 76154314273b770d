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
    """Notify every active member of a court's staff who holds `role`."""
    return notify_users(
        recipients=list(staff_of_court(court, role)),
        court=court,
        title=title,
        body=body,
        url=url,
        delivery=delivery,
    )


def notify_users(
    *, recipients, court: Court, title: str, body: str = "", url: str = "", delivery: Delivery | None = None
) -> list[Notification]:
    recipients = [user for user in recipients if user is not None and user.is_active]
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
        # Mail is a courtesy copy, sent by its own task after commit: a slow or broken mail server never holds
        # up a court's queue or undoes a delivery.
        transaction.on_commit(lambda: _queue_emails(emails))
    return notices


def _queue_emails(emails) -> None:
    from courts.tasks import send_emails

    try:
        send_emails.apply_async(args=[emails], retry=False)
    except Exception:
        logger.warning("could not queue %d notification emails", len(emails), exc_info=True)


def send_queued_emails(emails) -> int:
    return send_mass_mail([tuple(email) for email in emails], fail_silently=False)
