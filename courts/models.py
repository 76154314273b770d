"""The ground floor: courts, tribunals, staff and roles, the legal calendar and the timeline.

This app knows no case and no mediation. Adding a fourth court is a data change (a Court row with its own
queue), never a code change.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class Bilingual(models.Model):
    """A record named in Chinese first and English second; `name` follows the active language."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = translation.get_language() or "zh-hans"
        return self.name_en if language.startswith("en") else self.name_zh


class Contact(models.Model):
    """Where litigants find a court or a tribunal: shown on the status page once a case is theirs there.
    Kept by the administrators in the admin (blank until they enter it)."""

    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        abstract = True


class Court(Bilingual, Contact):
    code = models.SlugField(
        _("code"), max_length=32, unique=True, help_text=_("Used in the API, e.g. qingpu.")
    )
    short_name_zh = models.CharField(_("short name (Chinese)"), max_length=30)
    short_name_en = models.CharField(_("short name (English)"), max_length=60)
    province_zh = models.CharField(_("province (Chinese)"), max_length=20)
    province_en = models.CharField(_("province (English)"), max_length=40)
    case_code = models.CharField(
        _("case-number code"), max_length=16, unique=True, help_text=_("法院代字, e.g. 沪0118.")
    )
    region_code = models.CharField(_("region code"), max_length=6, unique=True)
    queue_name = models.CharField(
        _("Celery queue"), max_length=64, unique=True, help_text=_("Work for this court is delivered here.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("court")
        verbose_name_plural = _("courts")

    @property
    def short_name(self) -> str:
        language = translation.get_language() or "zh-hans"
        return self.short_name_en if language.startswith("en") else self.short_name_zh

    @property
    def province(self) -> str:
        language = translation.get_language() or "zh-hans"
        return self.province_en if language.startswith("en") else self.province_zh


class Tribunal(Bilingual, Contact):
    """A people's tribunal (人民法庭). It numbers its cases with its parent court's code."""

    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="tribunals", verbose_name=_("court")
    )
    code = models.SlugField(_("code"), max_length=32, unique=True)
    leads_alliance = models.BooleanField(_("leads the tribunal alliance"), default=False)

    class Meta:
        ordering = ["court_id", "id"]
        verbose_name = _("tribunal")
        verbose_name_plural = _("tribunals")


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("window clerk")
    FILING_CLERK = "filing_clerk", _("filing clerk")
    JUDGE = "judge", _("judge")
    OFFICER = "officer", _("service/enforcement officer")
    COURT_ADMIN = "court_admin", _("court administrator")
    ZONE_VIEWER = "zone_viewer", _("zone viewer")


class StaffRole(models.Model):
    """One row per role, so `User.objects.filter(roles__code=...)` finds e.g. a court's officers in SQL."""

    code = models.CharField(_("code"), max_length=32, primary_key=True, choices=Role.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return str(Role(self.code).label)


class StaffManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().select_related("court", "tribunal")


class User(AbstractUser):
    """A member of staff. Belongs to at most one court (none for the zone's own accounts) and holds roles."""

    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("court")
    )
    tribunal = models.ForeignKey(
        Tribunal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("tribunal"),
    )
    roles = models.ManyToManyField(StaffRole, blank=True, related_name="users", verbose_name=_("roles"))

    objects = StaffManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tribunal__isnull=True) | models.Q(court__isnull=False),
                name="user_tribunal_needs_court",
            )
        ]

    def clean(self):
        super().clean()
        if self.tribunal_id and self.tribunal.court_id != self.court_id:
            raise ValidationError({"tribunal": _("The tribunal must belong to the staff member's court.")})

    def role_codes(self) -> set[str]:
        """The user's roles, cached per instance: permission checks ask several times per request."""
        if not hasattr(self, "_role_codes"):
            self._role_codes = set(self.roles.values_list("code", flat=True)) if self.pk else set()
        return self._role_codes

    def has_role(self, role: str) -> bool:
        return role in self.role_codes()


# --- The legal calendar -----------------------------------------------------------------------------------


class CalendarYear(models.Model):
    """A year whose official holidays and adjusted working days are known.

    A year without a row is computed with weekends only, and deadlines falling in it say so.
    """

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinese-calendar package")
        MANUAL = "manual", _("entered by an administrator")

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    notice = models.CharField(_("State Council notice"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that departs from the plain week: a public holiday, or a weekend day that is worked (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday")
        WORKDAY = "workday", _("adjusted working day")

    calendar_year = models.ForeignKey(
        CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("year")
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    def clean(self):
        if self.date and self.calendar_year_id and self.date.year != self.calendar_year_id:
            raise ValidationError({"date": _("The date must lie in the calendar year.")})
        if self.date and self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"kind": _("Only a Saturday or Sunday can be an adjusted working day.")})

    @property
    def name(self) -> str:
        language = translation.get_language() or "zh-hans"
        return (self.name_en if language.startswith("en") else self.name_zh) or self.name_zh


# --- The timeline -----------------------------------------------------------------------------------------


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a timeline event."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Timeline events are never updated.")

    def delete(self):
        raise AppendOnlyError("Timeline events are never deleted.")

    def for_subject(self, subject) -> "EventQuerySet":
        return self.filter(subject_type=subject._meta.label_lower, subject_id=subject.pk)


class Event(models.Model):
    """One append-only row per state change of any tracked record: the audit log (healthchecks' Flip).

    The subject is named by its model label and id rather than a foreign key, so this floor stays ignorant of
    the records above it. On PostgreSQL a trigger refuses UPDATE and DELETE as well (migration 0003).
    """

    subject_type = models.CharField(_("record type"), max_length=64)
    subject_id = models.BigIntegerField(_("record id"))
    action = models.CharField(_("action"), max_length=64)
    from_state = models.CharField(_("from state"), max_length=32, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, blank=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    actor_court = models.ForeignKey(
        Court,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor's court"),
    )
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline")
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "created_at"], name="event_subject_idx")
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}#{self.subject_id} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Timeline events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Timeline events are never deleted.")


# --- Counters, delivery between courts, notifications, personal-data access -----------------------------


class Sequence(models.Model):
    """A named counter, incremented under a row lock inside the caller's transaction.

    Case numbers take their sequence from here: a registration that rolls back rolls its number back too, so
    numbers are never skipped and never repeated.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    value = models.PositiveIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("sequence")
        verbose_name_plural = _("sequences")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Delivery(models.Model):
    """A piece of work addressed to one court: the outbox row that makes cross-court work impossible to lose.

    Written in the same transaction as the change that causes it; a Celery task on the court's queue claims
    it by compare-and-set and runs the handler registered for `kind` (courts.delivery). `payload` holds ids
    only, so this floor can route work without knowing what a filing is.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        # Given up: the handler failed for good (a missing record, an unknown kind) or too often. Shown in
        # the admin for a person to look at; the sweep leaves it alone.
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=64)
    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("court")
    )
    payload = models.JSONField(_("payload"), default=dict)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The request (or task) that wrote the row (courts.request_ids): every publication of it carries this
    # id, so the worker's log lines join the clerk's request's. A database default, so a release that does
    # not know the column can still write rows while this one is rolled out.
    request_id = models.CharField(_("request id"), max_length=64, blank=True, default="", db_default="")

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        # The sweep's query: pending rows, oldest enqueue first. Partial, so delivered history costs nothing.
        indexes = [
            models.Index(
                fields=["enqueued_at"], name="delivery_pending_idx", condition=models.Q(state="pending")
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.court.code} ({self.state})"


class Notification(models.Model):
    """An item in a member of staff's in-app inbox."""

    # No index of its own: notification_unread_idx and the one-per-delivery constraint begin with it.
    recipient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
    )
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+", verbose_name=_("court"))
    title = models.CharField(_("title"), max_length=200)
    # The title as a message id and its arguments (courts.messages), rendered in the reader's language;
    # `title` keeps it as written (the email copy, and notices written before messages were stored).
    message = models.JSONField(_("message"), null=True, blank=True)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    delivery = models.ForeignKey(
        Delivery, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # One notice per person per delivery, even if a delivery were ever handled twice.
            models.UniqueConstraint(fields=["recipient", "delivery"], name="notification_once_per_delivery")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The email batch: notices not yet emailed.
            models.Index(
                fields=["id"], name="notification_unmailed_idx", condition=models.Q(emailed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        """The title in the reader's language."""
        from courts.messages import render

        return render(self.message) if self.message else self.title


class PersonalDataAccess(models.Model):
    """Each time a member of staff sees an unmasked ID number or phone (PIPL 13, 33-35): who, what, when."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("user"))
    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("court")
    )
    subject_type = models.CharField(_("record type"), max_length=64)
    subject_id = models.BigIntegerField(_("record id"))
    fields = models.CharField(_("fields"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    address = models.CharField(_("client address"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="pda_subject_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.subject_type}#{self.subject_id} {self.fields}"


class StoredScan(models.Model):
    """A scanned document kept with its checksum (courts.uploads checks the content before one is made).
    Concrete attachments add what they belong to and a `file` field with their own folder."""

    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class AttemptCounter(models.Model):
    """Attempts under one key (a username's logins, an address's status lookups) in the current window:
    counted before the check they guard, under the row's lock (courts.login_throttle)."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attempt counter")
        verbose_name_plural = _("attempt counters")

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class IssuedDocument(models.Model):
    """One printed copy of a document (文书): what it is, the number printed on it, the court that issued it
    and the date it bears, who printed it, and the record it was printed from. Its verification code is
    printed on the copy and kept here only as a keyed hash (courts.documents.codes): a copy of this table
    cannot be used to print a forged document with a code that verifies. Verification shows only the kind,
    the number, the court and the date, never the content. Rows are written once and never changed."""

    kind = models.CharField(_("kind"), max_length=40)
    number = models.CharField(_("number printed"), max_length=64)
    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing court")
    )
    dated = models.DateField(_("date printed"))
    subject_type = models.CharField(_("record type"), max_length=64)
    subject_id = models.BigIntegerField(_("record id"))
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("printed by")
    )
    issued_at = models.DateTimeField(_("printed"), default=timezone.now)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="issued_document_subject_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"
