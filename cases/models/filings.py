"""Shared case records, their parties, and cross-region filings (跨域立案).

A filing is made at the collaborating court (协作法院) for the court with jurisdiction (管辖法院), which alone
decides. Both courts see the one shared record; no other court does (cases.selectors).
"""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courts.legal_calendar import COURT_TZ
from courts.models import Court, StoredScan, Tribunal, User


class CaseType(models.Model):
    """A case-type code (类型代字) such as 民初 or 执. Data, not code: provinces vary."""

    code = models.CharField(_("type code"), max_length=16, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=100)
    filing_category = models.CharField(
        _("filing category"),
        max_length=32,
        blank=True,
        help_text=_("A cross-region filing of this category is registered as this type."),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("case type")
        verbose_name_plural = _("case types")
        constraints = [
            # Registration looks the type up by the filing's category: at most one type per category.
            models.UniqueConstraint(
                fields=["filing_category"],
                condition=~models.Q(filing_category=""),
                name="case_type_one_per_filing_category",
            )
        ]

    def __str__(self) -> str:
        return self.code


class FilingCategory(models.TextChoices):
    CIVIL_FIRST_INSTANCE = "civil_first_instance", _("civil or commercial, first instance")
    ENFORCEMENT = "enforcement", _("enforcement application")


class Case(models.Model):
    class State(models.TextChoices):
        REGISTERED = "registered", _("registered")
        CLOSED = "closed", _("closed")

    number = models.CharField(_("case number"), max_length=64, unique=True)
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="cases", verbose_name=_("court"))
    tribunal = models.ForeignKey(
        Tribunal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("tribunal"),
    )
    case_type = models.ForeignKey(
        CaseType, on_delete=models.PROTECT, related_name="+", verbose_name=_("case type")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    cause = models.CharField(_("cause of action"), max_length=100)
    claim_amount = models.DecimalField(
        _("amount claimed"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    procedure = models.CharField(_("procedure"), max_length=32, blank=True)
    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.REGISTERED)
    query_code_hash = models.CharField(_("query code (hashed)"), max_length=128, blank=True)
    origin_filing = models.OneToOneField(
        "Filing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
        verbose_name=_("origin filing"),
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["court", "case_type", "year", "sequence"], name="case_number_parts_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number


class Filing(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("materials received, sent")
        RECEIVED = "received", _("under review")
        CORRECTION_REQUESTED = "correction_requested", _("awaiting correction")
        RESUBMITTED = "resubmitted", _("corrected, under review")
        REGISTERED = "registered", _("registered")
        RETURNED = "returned", _("returned (not corrected in time)")
        DIVERTED_TO_MEDIATION = "diverted_to_mediation", _("diverted to pre-filing mediation")
        REFUSED = "refused", _("not accepted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    receipt_number = models.CharField(_("receipt number"), max_length=32, unique=True)
    # No index of their own: filing_outbox_idx and filing_inbox_idx begin with these columns, and every
    # index more is written again each time a filing changes state.
    collaborating_court = models.ForeignKey(
        Court,
        on_delete=models.PROTECT,
        related_name="filings_made",
        verbose_name=_("collaborating court"),
        db_index=False,
    )
    jurisdiction_court = models.ForeignKey(
        Court,
        on_delete=models.PROTECT,
        related_name="filings_received",
        verbose_name=_("court with jurisdiction"),
        db_index=False,
    )
    category = models.CharField(_("category"), max_length=32, choices=FilingCategory.choices)
    cause = models.CharField(_("cause of action"), max_length=100)
    claim_amount = models.DecimalField(
        _("amount claimed"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    materials = models.JSONField(_("materials received"), default=list)
    e_service_consent = models.BooleanField(_("consents to electronic service"))
    pre_mediation_consent = models.BooleanField(_("consents to pre-filing mediation"))
    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.SUBMITTED)
    query_code_hash = models.CharField(_("query code (hashed)"), max_length=128)

    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    # First receipt fixes the case number's year; the latest receipt (after a correction) runs the 7 days.
    first_received_at = models.DateTimeField(_("first received"), null=True, blank=True)
    received_at = models.DateTimeField(_("received by the court with jurisdiction"), null=True, blank=True)
    # The 7-day decision clock (CPL 126); restarts when a corrected filing is received (Interp 126).
    decision_due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    decision_due_calendar_known = models.BooleanField(default=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    correction_items = models.JSONField(_("items to correct"), default=list, blank=True)
    correction_deadline = models.DateField(_("correction deadline"), null=True, blank=True)
    correction_requested_at = models.DateTimeField(null=True, blank=True)
    resubmitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refusal_reason = models.TextField(_("reasons for not accepting"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("cross-region filing")
        verbose_name_plural = _("cross-region filings")
        # No "two different courts" constraint: a window files for another court (checked by
        # filing_submit), but a failed mediation or a confirmed ruling becomes a filing at whichever court is
        # competent, its own included (filing_create_referred), and that filing runs the same flow.
        indexes = [
            # The receiving court's inbox: open filings, overdue first, then by due time.
            models.Index(fields=["jurisdiction_court", "state", "decision_due_at"], name="filing_inbox_idx"),
            models.Index(fields=["collaborating_court", "state"], name="filing_outbox_idx"),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    def current_deadline(self):
        """What is due next and by when: the decision while under review, the correction while awaited."""
        if self.state in (self.State.RECEIVED, self.State.RESUBMITTED):
            return self.decision_due_at
        if self.state == self.State.CORRECTION_REQUESTED and self.correction_deadline:
            return datetime.datetime.combine(
                self.correction_deadline, datetime.time(23, 59, 59), tzinfo=COURT_TZ
            )
        return None

    def handoff_minutes(self) -> float | None:
        """Submission to first decision, against the zone's 15-minute target."""
        if self.decided_at is None:
            return None
        return round((self.decided_at - self.submitted_at).total_seconds() / 60, 1)


class PartyDetails(models.Model):
    """Who a party is, as entered at a window: the shape and privacy every flow's parties share (a filing's
    and a case's here, a mediation's in mediation/). ID numbers and phones are sealed (courts.personal_data);
    rows are made by cases.services.parties, and carried from one record to another by copying the sealed
    columns, never by retyping."""

    class Role(models.TextChoices):
        PLAINTIFF = "plaintiff", _("plaintiff / applicant")
        DEFENDANT = "defendant", _("defendant / respondent")
        THIRD_PARTY = "third_party", _("third party")

    class Kind(models.TextChoices):
        PERSON = "person", _("natural person")
        ORGANISATION = "organisation", _("organisation")

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("resident ID card")
        USCC = "uscc", _("unified social credit code")
        PASSPORT = "passport", _("passport")
        PERMIT = "permit", _("Hong Kong, Macao or Taiwan travel permit")
        OTHER = "other", _("other")

    position = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    id_type = models.CharField(_("ID type"), max_length=16, choices=IdType.choices, blank=True)
    # ID numbers and phones: ciphertext, keyed hash for lookup, masked for display (courts.personal_data).
    id_number_cipher = models.TextField(blank=True)
    id_number_lookup = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=32, blank=True)
    phone_cipher = models.TextField(blank=True)
    phone_lookup = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    e_service_consent = models.BooleanField(_("consents to electronic service"), default=False)

    # The columns that say who the party is: what a copy carries from one record to the next.
    DETAIL_FIELDS = (
        "position",
        "role",
        "kind",
        "name",
        "id_type",
        "id_number_cipher",
        "id_number_lookup",
        "id_number_masked",
        "phone_cipher",
        "phone_lookup",
        "phone_masked",
        "address",
        "e_service_consent",
    )

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    def details(self) -> dict:
        return {name: getattr(self, name) for name in self.DETAIL_FIELDS}


class Party(PartyDetails):
    """A party to a filing and, once registered, to its case (the same row: nothing is retyped)."""

    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, null=True, blank=True, related_name="parties"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="parties")

    class Meta(PartyDetails.Meta):
        verbose_name = _("party")
        verbose_name_plural = _("parties")


class FilingAttachment(StoredScan):
    """A scan of the filing's materials, visible to both courts."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="filings/%Y/%m/")

    class Meta(StoredScan.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    @property
    def download_url(self) -> str:
        """Through the view that checks who may see it (never the media folder)."""
        return f"/api/filings/{self.filing_id}/attachments/{self.pk}/"


S = Filing.State
# The filing state machine as data: the service, the API's 409 messages, the pages and the tests all read it.
# A correction is requested once, in writing, with every missing item (一次性书面告知), so a corrected filing
# cannot be sent back for correction again.
FILING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.RECEIVED, S.WITHDRAWN),
    S.RECEIVED: (S.REGISTERED, S.CORRECTION_REQUESTED, S.DIVERTED_TO_MEDIATION, S.REFUSED, S.WITHDRAWN),
    S.CORRECTION_REQUESTED: (S.RESUBMITTED, S.RETURNED, S.WITHDRAWN),
    S.RESUBMITTED: (S.REGISTERED, S.DIVERTED_TO_MEDIATION, S.REFUSED, S.WITHDRAWN),
}
FILING_UNDER_REVIEW = (S.RECEIVED, S.RESUBMITTED)
FILING_OPEN = (S.SUBMITTED, S.RECEIVED, S.CORRECTION_REQUESTED, S.RESUBMITTED)

# A case's own life here is short: registered, then closed by the flow that decides it (a 民特 case by its
# confirmation ruling).
CASE_TRANSITIONS: dict[str, tuple[str, ...]] = {Case.State.REGISTERED: (Case.State.CLOSED,)}


class StatusLookup(models.Model):
    """Every litigant status lookup, found or not (DOMAIN.md: "Every lookup is logged"). The query code
    itself is never stored."""

    number = models.CharField(_("number asked for"), max_length=64)
    found = models.BooleanField(_("found"))
    result = models.CharField(
        _("result"),
        max_length=16,
        choices=[
            ("found", _("found")),
            ("refused", _("unknown number or wrong code")),
            ("locked", _("number locked")),
            ("throttled", _("address throttled")),
            ("unavailable", _("lookup unavailable")),
        ],
        default="refused",
    )
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    address = models.CharField(_("client address"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    # The attempt's entry in the Redis log it was moved from (courts.lookup_guard): a batch moved twice
    # after a crash is not counted twice. Null for a row written directly (the log's Redis was away).
    entry = models.CharField(
        _("log entry"), max_length=32, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("status lookup")
        verbose_name_plural = _("status lookups")

    def __str__(self) -> str:
        return f"{self.number} {self.found}"
