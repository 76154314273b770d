"""Judicial confirmation (司法确认) of a mediation agreement: the parties apply together within 30 days of the
agreement taking effect (CPL 205) to a competent court, which registers it as a 民特 case and decides within
30 days of registration (CPL 187; 15 days as the internal target): confirmed, the agreement becomes valid
and enforceable (CPL 206); rejected (Interp 358); not accepted (Interp 355); or withdrawn."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case, Filing
from courts.models import Court, User
from mediation.models.mediations import Agreement, Mediation, MediationParty


class Confirmation(models.Model):
    class State(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("confirmation state", "applied")
        SUPPLEMENT_REQUESTED = (
            "supplement_requested",
            pgettext_lazy("confirmation state", "awaiting supplementary materials"),
        )
        REGISTERED = "registered", pgettext_lazy("confirmation state", "registered")
        CONFIRMED = (
            "confirmed",
            pgettext_lazy("confirmation state", "confirmed: the agreement is valid and enforceable"),
        )
        REJECTED = "rejected", pgettext_lazy("confirmation state", "application rejected")
        NOT_ACCEPTED = "not_accepted", pgettext_lazy("confirmation state", "not accepted")
        WITHDRAWN = "withdrawn", pgettext_lazy("confirmation state", "withdrawn")

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="confirmations")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="confirmations")
    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="confirmations", verbose_name=_("court applied to")
    )
    # The courts competent when the application was made (codes), as the applicants were told.
    competent_courts = models.JSONField(_("competent courts"), default=list)
    applicants = models.ManyToManyField(MediationParty, related_name="+", verbose_name=_("applicants"))
    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.APPLIED)
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    applied_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    supplement_items = models.JSONField(_("items to supplement"), default=list, blank=True)
    supplement_deadline = models.DateField(_("supplement by"), null=True, blank=True)
    # The deadline passed without a supplement: the court was told it may treat the application as
    # withdrawn (Interp 357); the court decides.
    supplement_lapsed_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    decision_due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    decision_due_calendar_known = models.BooleanField(default=True)
    target_due_at = models.DateTimeField(_("internal target"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    grounds = models.TextField(_("grounds"), blank=True)
    enforcement_filing = models.OneToOneField(
        Filing,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enforcement filing"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("judicial confirmation")
        verbose_name_plural = _("judicial confirmations")
        constraints = [
            # One application at a time per mediation; after a refusal or withdrawal the parties may apply
            # again (to a competent court, within the 30 days).
            models.UniqueConstraint(
                fields=["mediation"],
                condition=models.Q(state__in=["applied", "supplement_requested", "registered", "confirmed"]),
                name="confirmation_one_live_per_mediation",
            )
        ]
        indexes = [
            models.Index(fields=["court", "state", "decision_due_at"], name="confirmation_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.case.number if self.case_id else f"{self.mediation} · {self.court}"


C = Confirmation.State
CONFIRMATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    C.APPLIED: (C.SUPPLEMENT_REQUESTED, C.REGISTERED, C.NOT_ACCEPTED, C.WITHDRAWN),
    C.SUPPLEMENT_REQUESTED: (C.REGISTERED, C.NOT_ACCEPTED, C.WITHDRAWN),
    # Once registered, a ground for not accepting (Interp 355) leads to rejection (Interp 355 para. 2): the
    # court has accepted the application and must rule on it.
    C.REGISTERED: (C.CONFIRMED, C.REJECTED, C.WITHDRAWN),
}
CONFIRMATION_OPEN = (C.APPLIED, C.SUPPLEMENT_REQUESTED, C.REGISTERED)
CONFIRMATION_DECIDED = (C.CONFIRMED, C.REJECTED, C.NOT_ACCEPTED)
