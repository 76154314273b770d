"""Tell a court's staff that work has arrived: an in-app notice for each, and an email after commit."""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from courts.messages import as_data, as_text
from courts.models import Court, Delivery, Notification
from courts.rows import insert_rows
from courts.selectors import staff_to_notify

logger = logging.getLogger(__name__)


def notify_court(
    *, court: Court, role: str, title, body: str = "", url: str = "", delivery: Delivery | None = None
) -> list[Notification]:
    """Notify every active member of a court's staff who holds `role`."""
    return notify_users(
        recipients=staff_to_notify(court, role),
        court=court,
        title=title,
        body=body,
        url=url,
        delivery=delivery,
    )


def notify_users(
    *, recipients, court: Court, title, body: str = "", url: str = "", delivery: Delivery | None = None
) -> list[Notification]:
    """`title`: a courts.messages.Message (read in each reader's language) or plain text."""
    recipients = [user for user in recipients if user is not None and user.is_active]
    text, message = as_text(title)[:200], as_data(title)
    notices = [
        Notification(
            recipient=user, court=court, title=text, message=message, body=body, url=url, delivery=delivery
        )
        for user in recipients
    ]
    insert_rows(notices, ignore_conflicts=delivery is not None)  # a notice per person per delivery, never two
    # Email copies are sent in batches by a periodic task (`notification_emails_send`), not one message per
    # notice: a slow mail server never holds up a court's queue, and a delivery costs no extra task.
    return notices


def notification_emails_send(*, limit: int = 500) -> int:
    """Send the email copy of notices not yet emailed, over one connection; each notice is emailed once."""
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at__isnull=True)
            .select_related("recipient")
            .order_by("id")[:limit]
        )
        if not pending:
            return 0
        Notification.objects.filter(pk__in=[notice.pk for notice in pending]).update(
            emailed_at=timezone.now()
        )
        messages = [
            (
                notice.title,
                f"{notice.body}\n\n{notice.url}".strip(),
                settings.DEFAULT_FROM_EMAIL,
                [notice.recipient.email],
            )
            for notice in pending
            if notice.recipient.email
        ]
    # Sent after the notices are marked: a mail outage loses a courtesy copy, never sends one twice.
    try:
        return send_mass_mail(messages, fail_silently=False) if messages else 0
    except Exception:
        logger.warning("could not send %d notification emails", len(messages), exc_info=True)
        return 0


def notifications_read(*, user, ids=None) -> int:
    """Mark this user's unread notices read: those in `ids`, or all of them. Another user's are untouched."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def notifications_settle(*, url: str, court=None) -> int:
    """The work a notice is about is finished (acknowledged, decided, answered): its notices are read, for
    everyone (of `court`) who was told. Called in the transaction that finishes it."""
    unread = Notification.objects.filter(url=url, read_at__isnull=True)
    if court is not None:
        unread = unread.filter(court=court)
    return unread.update(read_at=timezone.now())
