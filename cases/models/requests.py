"""Requests one court sends another (事项委托): service of documents (委托送达) and preservation of property
(委托保全). The helping court gives them no case number of its own; it must assist and report back.

Both kinds share a life: sent → received (the clock starts) → accepted (an officer takes it) → a result →
closed when the requesting court acknowledges it; cancelled by the requesting court, returned by the entrusted
court. Their state machines are data (SERVICE_TRANSITIONS, PRESERVATION_TRANSITIONS).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courts.models import Court, StoredScan, User


class EntrustedRequest(models.Model):
    """What a service request and a preservation request have in common."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    requesting_court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="%(class)s_sent", verbose_name=_("requesting court")
    )
    entrusted_court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="%(class)s_entrusted", verbose_name=_("entrusted court")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="%(class)ss", verbose_name=_("case")
    )
    state = models.CharField(_("state"), max_length=32)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    # An officer should take it within 1 working day, or the entrusted court's administrator hears of it.
    acceptance_due_at = models.DateTimeField(_("to be accepted by"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    due_calendar_known = models.BooleanField(default=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    overdue_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    officer = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("officer")
    )
    reported_at = models.DateTimeField(_("result reported"), null=True, blank=True)
    closed_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    reason = models.TextField(_("reason (return, cancellation or failure)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference


class ServiceMethod(models.TextChoices):
    DIRECT = "direct", _("direct (to the recipient)")
    PROXY = "proxy", _("to an adult family member or designated recipient")
    LEFT = "left", _("left at the address with a witness or photo/video")
    ELECTRONIC = "electronic", _("electronic (with consent)")
    POST = "post", _("by post")


class ServiceRequest(EntrustedRequest):
    class State(models.TextChoices):
        SENT = "sent", _("sent")
        RECEIVED = "received", _("received")
        ACCEPTED = "accepted", _("accepted")
        SERVED = "served", _("served")
        FAILED = "failed", _("could not be served")
        # The requesting court took note of the result: the request is done (the case goes on).
        CLOSED = "closed", _("result acknowledged")
        CANCELLED = "cancelled", _("cancelled")
        RETURNED = "returned", _("returned")

    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.SENT)
    recipient = models.ForeignKey(
        "cases.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    address = models.CharField(_("service address"), max_length=200)
    method = models.CharField(_("requested method"), max_length=16, choices=ServiceMethod.choices)
    letter_number = models.CharField(_("letter of entrustment number"), max_length=60, blank=True)
    served_on = models.DateField(_("date of service"), null=True, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=16, blank=True)

    class Meta(EntrustedRequest.Meta):
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            # Each side's inbox: its open requests, most urgent first.
            models.Index(fields=["entrusted_court", "state", "due_at"], name="service_inbox_idx"),
            models.Index(fields=["requesting_court", "state", "due_at"], name="service_outbox_idx"),
            # The overdue sweep: open requests not yet flagged, by due time.
            models.Index(
                fields=["due_at"],
                name="service_sweep_idx",
                condition=models.Q(overdue=False, state__in=["received", "accepted"]),
            ),
        ]


class ServiceDocument(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("document"), max_length=100)
    reference = models.CharField(_("reference number"), max_length=60, blank=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)

    class Meta:
        ordering = ["id"]
        verbose_name = _("document to serve")
        verbose_name_plural = _("documents to serve")

    def __str__(self) -> str:
        return self.name


class ServiceAttempt(models.Model):
    """One attempt at service, as the service receipt (送达回证) records it."""

    class Result(models.TextChoices):
        SERVED = "served", _("served")
        FAILED = "failed", _("failed")

    class FailureReason(models.TextChoices):
        NOT_FOUND = "not_found", _("recipient not found")
        REFUSED = "refused", _("refused to accept")
        MOVED = "moved", _("moved away")
        WRONG_ADDRESS = "wrong_address", _("wrong address")
        OTHER = "other", _("other")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attempts")
    method = models.CharField(_("method"), max_length=16, choices=ServiceMethod.choices)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    attempted_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200)
    signer = models.CharField(_("signed by"), max_length=100, blank=True)
    relation = models.CharField(_("signer's relation to the recipient"), max_length=60, blank=True)
    reason = models.CharField(_("failure reason"), max_length=16, choices=FailureReason.choices, blank=True)
    refusal_reason = models.CharField(_("reason given for refusing"), max_length=200, blank=True)
    witness = models.CharField(_("witness"), max_length=100, blank=True)
    officers = models.CharField(_("serving officers"), max_length=100)
    remarks = models.TextField(_("remarks"), blank=True)
    served_on = models.DateField(_("date of service"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempted_at", "id"]
        verbose_name = _("service attempt")
        verbose_name_plural = _("service attempts")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.get_result_display()}"


class PreservationRequest(EntrustedRequest):
    class State(models.TextChoices):
        SENT = "sent", _("sent")
        RECEIVED = "received", _("received")
        ACCEPTED = "accepted", _("accepted")
        CARRIED_OUT = "carried_out", _("carried out")
        PARTLY_CARRIED_OUT = "partly_carried_out", _("partly carried out")
        FAILED = "failed", _("could not be carried out")
        CLOSED = "closed", _("result acknowledged")
        CANCELLED = "cancelled", _("cancelled")
        RETURNED = "returned", _("returned")

    class Stage(models.TextChoices):
        PRE_SUIT = "pre_suit", _("before suit")
        IN_SUIT = "in_suit", _("during the suit")

    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.SENT)
    respondent = models.ForeignKey(
        "cases.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("respondent")
    )
    urgent = models.BooleanField(_("urgent (48 hours)"), default=False)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    allowed_amount = models.DecimalField(_("amount the ruling allows"), max_digits=14, decimal_places=2)
    ruling_number = models.CharField(_("ruling number"), max_length=60)
    ruling_date = models.DateField(_("ruling date"), null=True, blank=True)
    carried_out_at = models.DateTimeField(_("carried out"), null=True, blank=True)
    # Pre-suit preservation lapses if no suit is filed within 30 days (CPL 104): the requesting court is told.
    suit_reminder_at = models.DateTimeField(null=True, blank=True)

    class Meta(EntrustedRequest.Meta):
        verbose_name = _("preservation request")
        verbose_name_plural = _("preservation requests")
        indexes = [
            models.Index(fields=["entrusted_court", "state", "due_at"], name="preservation_inbox_idx"),
            models.Index(fields=["requesting_court", "state", "due_at"], name="preservation_outbox_idx"),
            models.Index(
                fields=["due_at"],
                name="preservation_sweep_idx",
                condition=models.Q(overdue=False, state__in=["received", "accepted"]),
            ),
        ]


class PreservationMeasure(models.Model):
    class Type(models.TextChoices):
        SEAL = "seal", _("seal (查封)")
        SEIZE = "seize", _("seize (扣押)")
        FREEZE = "freeze", _("freeze (冻结)")
        OTHER = "other", _("other")

    class PropertyType(models.TextChoices):
        BANK_DEPOSIT = "bank_deposit", _("bank deposit")
        REAL_ESTATE = "real_estate", _("real estate")
        MOVABLE = "movable", _("movable property")
        EQUITY = "equity", _("equity")
        OTHER = "other", _("other")

    class Result(models.TextChoices):
        PENDING = "pending", _("not yet reported")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    request = models.ForeignKey(PreservationRequest, on_delete=models.CASCADE, related_name="measures")
    type = models.CharField(_("measure"), max_length=16, choices=Type.choices)
    property_type = models.CharField(_("property"), max_length=16, choices=PropertyType.choices)
    registry = models.CharField(_("registry or bank"), max_length=100)
    # A bank account or a property certificate number: encrypted at rest and masked for display, like ID
    # numbers (courts.personal_data). Shown in full only to the officers carrying the measure out and the
    # staff who asked for it, each time logged (cases.services.preservation_requests.measure_accounts_shown).
    account_cipher = models.TextField(blank=True)
    account_masked = models.CharField(_("account or certificate"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount requested"), max_digits=14, decimal_places=2)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, default=Result.PENDING)
    amount_done = models.DecimalField(
        _("amount actually preserved"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    term_ends_on = models.DateField(_("term ends"), null=True, blank=True)
    receipt = models.CharField(_("registry's or bank's receipt"), max_length=100, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    renewal_reminder_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("preservation measure")
        verbose_name_plural = _("preservation measures")
        indexes = [
            # Renewal reminders: measures carried out whose term is ending.
            models.Index(
                fields=["term_ends_on"],
                name="measure_term_idx",
                condition=models.Q(result="done", renewal_reminder_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.registry}"


class RequestAttachment(StoredScan):
    """A file on a request: the documents to serve, a photo of the signed receipt, a bank's receipt."""

    service_request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    preservation_request = models.ForeignKey(
        PreservationRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    attempt = models.ForeignKey(
        ServiceAttempt, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to="requests/%Y/%m/")

    class Meta(StoredScan.Meta):
        verbose_name = _("request attachment")
        verbose_name_plural = _("request attachments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(service_request__isnull=False, preservation_request__isnull=True)
                | models.Q(service_request__isnull=True, preservation_request__isnull=False),
                name="attachment_on_one_request",
            )
        ]


_S = ServiceRequest.State
SERVICE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    _S.SENT: (_S.RECEIVED, _S.CANCELLED),
    _S.RECEIVED: (_S.ACCEPTED, _S.RETURNED, _S.CANCELLED),
    _S.ACCEPTED: (_S.SERVED, _S.FAILED, _S.RETURNED, _S.CANCELLED),
    _S.SERVED: (_S.CLOSED,),
    _S.FAILED: (_S.CLOSED,),
}
_P = PreservationRequest.State
PRESERVATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    _P.SENT: (_P.RECEIVED, _P.CANCELLED),
    _P.RECEIVED: (_P.ACCEPTED, _P.RETURNED, _P.CANCELLED),
    _P.ACCEPTED: (_P.CARRIED_OUT, _P.PARTLY_CARRIED_OUT, _P.FAILED, _P.RETURNED, _P.CANCELLED),
    _P.CARRIED_OUT: (_P.CLOSED,),
    _P.PARTLY_CARRIED_OUT: (_P.CLOSED,),
    _P.FAILED: (_P.CLOSED,),
}
# States in which the entrusted court owes work against the clock.
REQUEST_CLOCK_RUNNING = ("received", "accepted")
REQUEST_OPEN = ("sent", "received", "accepted")
