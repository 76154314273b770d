"""Mediation sessions: held in person at a tribunal's room or online, with the mediators and the parties
present minuted afterwards. No mediator and no room is booked twice at once, across all three courts.

The service checks for overlaps and explains them; on PostgreSQL two exclusion constraints (migration 0002)
make two concurrent bookings unable to both succeed: one on the room (tribunal, room, time range) of
in-person sessions, one on each mediator's time range (SessionMediator keeps a copy of its session's times
for that reason, so the constraint needs no join).
"""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courts.models import Tribunal, User
from mediation.models.mediations import Mediation, MediationParty

# A longer "session" is a typo; the bound also keeps the overlap queries to a short index range.
MAX_SESSION_LENGTH = dt.timedelta(hours=12)


class MediationSession(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("session state", "scheduled")
        HELD = "held", pgettext_lazy("session state", "held")
        CANCELLED = "cancelled", pgettext_lazy("session state", "cancelled")

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SCHEDULED)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    # In person: the tribunal and room it is held in. Online: the meeting link (and the tribunal that hosts).
    tribunal = models.ForeignKey(
        Tribunal,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("tribunal"),
    )
    room = models.CharField(_("room"), max_length=60, blank=True)
    meeting_url = models.URLField(_("meeting link"), max_length=300, blank=True)
    off_hours_reason = models.CharField(
        _("why outside working hours or on a rest day"), max_length=300, blank=True
    )
    mediators = models.ManyToManyField(
        User, through="SessionMediator", related_name="mediation_sessions", verbose_name=_("mediators")
    )
    present = models.ManyToManyField(
        MediationParty, related_name="sessions_attended", blank=True, verbose_name=_("parties present")
    )
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_at = models.DateTimeField(_("minuted"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [
            # The room check and the tribunal's week calendar: a tribunal's sessions by start time.
            models.Index(
                fields=["tribunal", "room", "starts_at"],
                name="session_room_idx",
                condition=~models.Q(state="cancelled"),
            ),
            models.Index(fields=["tribunal", "starts_at"], name="session_tribunal_week_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mediation} {self.starts_at:%Y-%m-%d %H:%M}"


class SessionMediator(models.Model):
    """A mediator's place in a session, with the session's times copied (see the module's docstring);
    `active` is false once the session is cancelled, so it no longer blocks the mediator's time."""

    session = models.ForeignKey(MediationSession, on_delete=models.CASCADE, related_name="bookings")
    mediator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("mediator booking")
        verbose_name_plural = _("mediator bookings")
        constraints = [
            models.UniqueConstraint(fields=["session", "mediator"], name="booking_once_per_mediator")
        ]
        indexes = [
            # The mediator check and the .ics feed: one mediator's active bookings by start time.
            models.Index(
                fields=["mediator", "starts_at"], name="booking_mediator_idx", condition=models.Q(active=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mediator} {self.starts_at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A mediator's .ics feed key: the feed URL carries a signature over the user and this version, so a
    calendar app can subscribe without a login, and a leaked link stops working when the version moves."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} v{self.version}"


S = MediationSession.State
SESSION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    # Rescheduling keeps a session scheduled (scheduled -> scheduled, with its own event).
    S.SCHEDULED: (S.SCHEDULED, S.HELD, S.CANCELLED),
}
