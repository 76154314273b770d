"""Joint mediation (联调, DOMAIN.md): a lead tribunal invites tribunals of other courts, each names a
mediator, they hold sessions together, and the mediation ends agreed, failed, expired or withdrawn.

The lead tribunal's court numbers it （2026）苏0509民诉前调N号 (the pre-filing mediation type code, same
sequence rules as any case number). Its parties have the shape and privacy of a filing's
(cases.models.PartyDetails), carried over from the filing or case it came from, never retyped. An agreement
(调解协议), once every party has signed, is frozen: it can only be replaced by a new one, with a reason.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case, CaseType, Filing, PartyDetails
from courts.models import Court, Event, Tribunal, User


class Mediation(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("mediation state", "proposed: awaiting the invited tribunals")
        ACCEPTED = "accepted", pgettext_lazy("mediation state", "accepted")
        DECLINED = "declined", pgettext_lazy("mediation state", "declined by every invited tribunal")
        IN_SESSION = "in_session", pgettext_lazy("mediation state", "in session")
        AGREED = "agreed", pgettext_lazy("mediation state", "agreed")
        FAILED = "failed", pgettext_lazy("mediation state", "failed")
        EXPIRED = "expired", pgettext_lazy("mediation state", "expired")
        WITHDRAWN = "withdrawn", pgettext_lazy("mediation state", "withdrawn")

    class Origin(models.TextChoices):
        FILING = "filing", _("a filing diverted to mediation")
        CASE = "case", _("an existing case")
        DIRECT = "direct", _("entered at the tribunal")

    number = models.CharField(_("mediation number"), max_length=64, unique=True)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    # The lead court is the lead tribunal's, kept on the row for the queries that scope by court.
    lead_court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="mediations_led", verbose_name=_("lead court")
    )
    lead_tribunal = models.ForeignKey(
        Tribunal, on_delete=models.PROTECT, related_name="mediations_led", verbose_name=_("lead tribunal")
    )
    lead_mediator = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("mediator")
    )
    jurisdiction_court = models.ForeignKey(
        Court,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("court with jurisdiction if mediation fails"),
    )
    property_court = models.ForeignKey(
        Court,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("court where the property in dispute lies"),
    )
    cause = models.CharField(_("cause of action"), max_length=100)
    claim_amount = models.DecimalField(
        _("amount claimed"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    consent = models.BooleanField(_("the parties consent to mediation"))
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    # Where it came from; related_name "+": the cases floor never reaches up to a mediation.
    origin_filing = models.OneToOneField(
        Filing, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("filing")
    )
    origin_case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    materials = models.JSONField(_("materials"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.PROPOSED)
    query_code_hash = models.CharField(_("query code (hashed)"), max_length=128)

    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    # Pre-filing mediation lasts 30 days from acceptance unless the parties agree to extend (DOMAIN.md).
    expires_on = models.DateField(_("mediation ends on"), null=True, blank=True)
    expiry_calendar_known = models.BooleanField(default=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.TextField(_("reason (failure or withdrawal)"), blank=True)
    resulting_filing = models.OneToOneField(
        Filing,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filing made when mediation failed"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Not a field: the page's timeline, set by mediation.selectors.attach_timelines (absent otherwise).
    timeline_events: list[Event]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("joint mediation")
        verbose_name_plural = _("joint mediations")
        constraints = [
            models.UniqueConstraint(
                fields=["lead_court", "case_type", "year", "sequence"], name="mediation_number_parts_unique"
            ),
            models.CheckConstraint(condition=models.Q(consent=True), name="mediation_needs_consent"),
        ]
        indexes = [
            # The expiry sweep: running mediations by their end date.
            models.Index(
                fields=["expires_on"],
                name="mediation_expiry_idx",
                condition=models.Q(state__in=["accepted", "in_session"]),
            ),
            models.Index(fields=["lead_court", "state"], name="mediation_lead_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class MediationParty(PartyDetails):
    """A party to a mediation: its own row (the mediation's courts decide who sees it), copied from the
    filing's or case's party it came from (`source`), or entered at the tribunal."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="parties")
    source = models.ForeignKey(
        "cases.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(PartyDetails.Meta):
        verbose_name = _("party to a mediation")
        verbose_name_plural = _("parties to mediations")


class Invitation(models.Model):
    """A tribunal of another court asked to mediate together. It travels to that court by delivery (sent ->
    received), and is answered there: accepted, naming the mediator, or declined with a reason. Acceptance is
    due within 3 working days of the invitation (DOMAIN.md)."""

    class State(models.TextChoices):
        SENT = "sent", pgettext_lazy("invitation state", "sent")
        RECEIVED = "received", pgettext_lazy("invitation state", "awaiting an answer")
        ACCEPTED = "accepted", pgettext_lazy("invitation state", "accepted")
        DECLINED = "declined", pgettext_lazy("invitation state", "declined")
        CANCELLED = "cancelled", pgettext_lazy("invitation state", "cancelled")

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="invitations")
    tribunal = models.ForeignKey(
        Tribunal, on_delete=models.PROTECT, related_name="mediation_invitations", verbose_name=_("tribunal")
    )
    # The tribunal's court, kept on the row: the invited court's inbox is a query on it.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+", verbose_name=_("court"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SENT)
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    due_at = models.DateTimeField(_("answer due"))
    due_calendar_known = models.BooleanField(default=True)
    overdue_at = models.DateTimeField(_("flagged overdue"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    mediator = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("mediator")
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["invited_at", "id"]
        verbose_name = _("invitation to mediate")
        verbose_name_plural = _("invitations to mediate")
        constraints = [
            # A tribunal is asked once at a time; after declining it may be asked again.
            models.UniqueConstraint(
                fields=["mediation", "tribunal"],
                condition=models.Q(state__in=["sent", "received", "accepted"]),
                name="invitation_one_open_per_tribunal",
            )
        ]
        indexes = [
            # The invited court's inbox: its invitations awaiting an answer, by due time.
            models.Index(fields=["court", "state", "due_at"], name="invitation_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mediation} → {self.tribunal}"


class Extension(models.Model):
    """The parties agreed to mediate longer: the new end date, why, and who agreed."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="extensions")
    previous_end = models.DateField(_("previous end"))
    until = models.DateField(_("new end"))
    reason = models.TextField(_("reason"))
    agreed_by = models.ManyToManyField(MediationParty, related_name="+", verbose_name=_("agreed by"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.mediation} → {self.until}"


class Agreement(models.Model):
    """A mediation agreement (调解协议), signed by every party of the mediation and frozen from then on."""

    class State(models.TextChoices):
        IN_FORCE = "in_force", pgettext_lazy("agreement state", "in force")
        SUPERSEDED = "superseded", pgettext_lazy("agreement state", "replaced")

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="agreements")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.IN_FORCE)
    terms = models.TextField(_("terms"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    effective_on = models.DateField(_("takes effect on"))
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    replacement_reason = models.TextField(_("why it replaces the earlier agreement"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["mediation"], condition=models.Q(state="in_force"), name="agreement_one_in_force"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mediation} #{self.pk}"


class AgreementPayment(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="payments")
    position = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.due_on} {self.amount}"


class AgreementSignature(models.Model):
    class Method(models.TextChoices):
        HANDWRITTEN = "handwritten", _("handwritten on paper")
        ELECTRONIC = "electronic", _("electronic signature")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    party = models.ForeignKey(MediationParty, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed"))
    method = models.CharField(_("how"), max_length=16, choices=Method.choices)

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="signature_once_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.signed_at:%Y-%m-%d}"


M = Mediation.State
# The mediation's state machine as data: the services, the API's 409s, the pages and the tests all read it.
MEDIATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    M.PROPOSED: (M.ACCEPTED, M.DECLINED, M.WITHDRAWN),
    # Every invited tribunal declined: the lead may invite another (back to proposed) or give up.
    M.DECLINED: (M.PROPOSED, M.FAILED, M.WITHDRAWN),
    M.ACCEPTED: (M.IN_SESSION, M.FAILED, M.EXPIRED, M.WITHDRAWN),
    M.IN_SESSION: (M.AGREED, M.FAILED, M.EXPIRED, M.WITHDRAWN),
}
MEDIATION_OPEN = (M.PROPOSED, M.DECLINED, M.ACCEPTED, M.IN_SESSION)
# The 30 days run (and sessions may be held) in these.
MEDIATION_RUNNING = (M.ACCEPTED, M.IN_SESSION)

INV = Invitation.State
INVITATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    INV.SENT: (INV.RECEIVED, INV.CANCELLED),
    INV.RECEIVED: (INV.ACCEPTED, INV.DECLINED, INV.CANCELLED),
}
INVITATION_OPEN = (INV.SENT, INV.RECEIVED)

AGREEMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Agreement.State.IN_FORCE: (Agreement.State.SUPERSEDED,),
}
