"""A mediator's calendar feed key. The feed URL carries a signature over the user and the version of their
CalendarFeed row, so a calendar app can subscribe without a login; "new link" moves the version on and
every link given out before answers 404."""

from django.core.signing import BadSignature, Signer
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mediation.models import CalendarFeed

FEED_SALT = "mediation.ics"


def _signer() -> Signer:
    return Signer(salt=FEED_SALT)


def feed_token(user) -> str:
    """The user's current feed token: a signature over their id and their feed's version (the row is made
    on first use)."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return _signer().sign(f"{user.pk}:{feed.version}")


def feed_renew(user) -> None:
    """A new link: the version moves on, so every link given out before answers 404."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        if not created:
            CalendarFeed.objects.filter(pk=feed.pk).update(
                version=F("version") + 1, updated_at=timezone.now()
            )


def feed_user(token: str):
    """The active user a token was signed for, if its version is still the current one; else None."""
    try:
        value = _signer().unsign(token)
    except BadSignature:
        return None
    user_id, _sep, version = value.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(user_id=int(user_id), version=int(version), user__is_active=True)
        .first()
    )
    return feed.user if feed is not None else None
