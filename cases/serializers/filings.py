"""API shapes for filings, cases and parties. Court fields take and show court codes (wujiang, qingpu,
jiashan). Parties show masked ID numbers and phones only."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Case, Filing, FilingAttachment, FilingCategory, Party
from cases.permissions import allowed_actions
from cases.services.filings import MAX_CLAIM_AMOUNT, MAX_MATERIALS
from cases.services.parties import MAX_PARTIES
from courts.links import links_for
from courts.models import Tribunal
from courts.serializers import (
    CourtCodeField,
    CourtDateField,
    LinkSerializer,
    TimelineEventSerializer,
    TribunalCodeField,
)
from courts.timeline import timeline_of

# --- input ------------------------------------------------------------------------------------------------


class PartyInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Party.Role.choices)
    kind = serializers.ChoiceField(choices=Party.Kind.choices)
    name = serializers.CharField(max_length=100)
    id_type = serializers.ChoiceField(choices=Party.IdType.choices, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    e_service_consent = serializers.BooleanField(required=False, default=False)


class FilingCreateSerializer(serializers.Serializer):
    jurisdiction_court = CourtCodeField(help_text=_("The court with jurisdiction, by code, e.g. qingpu."))
    category = serializers.ChoiceField(choices=FilingCategory.choices)
    cause = serializers.CharField(max_length=100, help_text=_("Cause of action (案由)."))
    claim_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_CLAIM_AMOUNT,
        required=False,
        allow_null=True,
        default=None,
    )
    parties = PartyInputSerializer(many=True, min_length=1, max_length=MAX_PARTIES)
    materials = serializers.ListField(
        child=serializers.CharField(max_length=100),
        min_length=1,
        max_length=MAX_MATERIALS,
        help_text=_("Checklist items received at the window."),
    )
    e_service_consent = serializers.BooleanField(help_text=_("The litigant consents to electronic service."))
    pre_mediation_consent = serializers.BooleanField(
        help_text=_("The litigant consents to pre-filing mediation.")
    )


class RegisterSerializer(serializers.Serializer):
    tribunal = TribunalCodeField(
        queryset=Tribunal.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )


class CorrectionSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.CharField(max_length=200), min_length=1, max_length=MAX_MATERIALS
    )
    deadline = CourtDateField()


class ResubmitSerializer(serializers.Serializer):
    materials = serializers.ListField(
        child=serializers.CharField(max_length=100), min_length=1, max_length=MAX_MATERIALS
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, JPEG or PNG, at most 20 MB."))


# --- output -----------------------------------------------------------------------------------------------


class PartySerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = Party
        fields = [
            "id",
            "role",
            "kind",
            "name",
            "id_type",
            "id_number",
            "phone",
            "address",
            "e_service_consent",
        ]


class IdentitySerializer(serializers.Serializer):
    id_number = serializers.CharField()
    phone = serializers.CharField()


class CaseRefSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="number")

    class Meta:
        model = Case
        fields = ["id", "case_number"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = FilingAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at", "url"]

    def get_url(self, attachment) -> str:
        return f"/api/filings/{attachment.filing_id}/attachments/{attachment.pk}/"


class FilingSerializer(serializers.ModelSerializer):
    collaborating_court = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_court = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    deadline = serializers.DateTimeField(
        source="current_deadline",
        read_only=True,
        allow_null=True,
        help_text=_("What is due next, and by when."),
    )
    must_register_first = serializers.SerializerMethodField()
    handoff_minutes = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text=_("Minutes from submission to the first decision (the zone's target: 15)."),
    )
    case = CaseRefSerializer(read_only=True, allow_null=True)
    parties = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Filing
        fields = [
            "id",
            "receipt_number",
            "state",
            "state_label",
            "category",
            "cause",
            "claim_amount",
            "collaborating_court",
            "jurisdiction_court",
            "materials",
            "e_service_consent",
            "pre_mediation_consent",
            "submitted_at",
            "received_at",
            "decision_due_at",
            "decision_due_calendar_known",
            "deadline",
            "overdue",
            "must_register_first",
            "correction_items",
            "correction_deadline",
            "refusal_reason",
            "decided_at",
            "handoff_minutes",
            "case",
            "parties",
        ]

    def get_must_register_first(self, filing) -> bool:
        return filing.overdue


class FilingDetailSerializer(FilingSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    linked_records = serializers.SerializerMethodField(
        help_text=_("Records of other flows linked to it: the mediation it came from or went to.")
    )

    class Meta(FilingSerializer.Meta):
        fields = [
            *FilingSerializer.Meta.fields,
            "attachments",
            "allowed_actions",
            "timeline",
            "linked_records",
        ]

    @extend_schema_field(LinkSerializer(many=True))
    def get_linked_records(self, filing) -> list[dict]:
        return LinkSerializer(links_for(filing, self.context["request"].user), many=True).data

    def get_allowed_actions(self, filing) -> list[str]:
        return allowed_actions(self.context["request"].user, filing)

    def get_timeline(self, filing) -> list[dict]:
        return TimelineEventSerializer(timeline_of(filing), many=True).data


class FilingCreatedSerializer(FilingDetailSerializer):
    query_code = serializers.SerializerMethodField(help_text=_("Shown once: print it on the receipt."))

    class Meta(FilingDetailSerializer.Meta):
        fields = [*FilingDetailSerializer.Meta.fields, "query_code"]

    def get_query_code(self, filing) -> str:
        return self.context["query_code"]


class CaseSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="number")
    court = serializers.SlugRelatedField(slug_field="code", read_only=True)
    tribunal = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    case_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    origin_filing = serializers.SerializerMethodField()
    parties = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "case_number",
            "court",
            "tribunal",
            "case_type",
            "year",
            "sequence",
            "cause",
            "claim_amount",
            "state",
            "registered_at",
            "origin_filing",
            "parties",
        ]

    def get_origin_filing(self, case) -> dict | None:
        filing = case.origin_filing
        if filing is None:
            return None
        return {
            "id": filing.pk,
            "receipt_number": filing.receipt_number,
            "collaborating_court": filing.collaborating_court.code,
        }


class CaseDetailSerializer(CaseSerializer):
    timeline = serializers.SerializerMethodField()
    linked_records = serializers.SerializerMethodField(
        help_text=_("Records of other flows linked to it: the mediation or confirmation it belongs to.")
    )

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "timeline", "linked_records"]

    @extend_schema_field(LinkSerializer(many=True))
    def get_linked_records(self, case) -> list[dict]:
        request = self.context.get("request")
        return LinkSerializer(links_for(case, request.user), many=True).data if request else []

    def get_timeline(self, case) -> list[dict]:
        return TimelineEventSerializer(timeline_of(case), many=True).data
