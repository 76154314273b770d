"""API shapes of judicial confirmation (司法确认). The court is taken and shown by code; applicants are the
mediation's party ids."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courts.serializers import CourtCodeField, CourtDateField, IdField, TimelineEventSerializer
from courts.timeline import timeline_of
from mediation.elapsed import elapsed_for
from mediation.models import Confirmation
from mediation.permissions import allowed_confirmation_actions
from mediation.serializers.mediations import AgreementSerializer, ElapsedSerializer, MediationPartySerializer


class ConfirmationCreateSerializer(serializers.Serializer):
    mediation = IdField()
    court = CourtCodeField(help_text=_("The competent court applied to, by code."))
    applicants = serializers.ListField(
        child=IdField(), min_length=1, max_length=50, help_text=_("Every party's id.")
    )


class SupplementSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField(max_length=200), min_length=1, max_length=40)
    deadline = CourtDateField()


class GroundsSerializer(serializers.Serializer):
    grounds = serializers.CharField(max_length=2000)


class ConfirmationSerializer(serializers.ModelSerializer):
    court = serializers.SlugRelatedField(slug_field="code", read_only=True)
    mediation_number = serializers.CharField(source="mediation.number", read_only=True)
    case_number = serializers.SerializerMethodField(help_text=_("The 民特 case number, once registered."))
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    due_at = serializers.DateTimeField(
        source="decision_due_at",
        read_only=True,
        allow_null=True,
        help_text=_("The decision is due 30 days after registration (CPL 187)."),
    )
    target_at = serializers.DateTimeField(
        source="target_due_at", read_only=True, allow_null=True, help_text=_("The 15-day internal target.")
    )
    elapsed = serializers.SerializerMethodField(
        help_text=_("Seconds from the complaint to the ruling, once decided (null before).")
    )
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Confirmation
        fields = [
            "id",
            "mediation",
            "mediation_number",
            "court",
            "competent_courts",
            "state",
            "state_label",
            "case_number",
            "applied_at",
            "registered_at",
            "due_at",
            "target_at",
            "overdue",
            "decided_at",
            "grounds",
            "elapsed",
            "timeline",
        ]

    def get_case_number(self, confirmation) -> str | None:
        return confirmation.case.number if confirmation.case_id else None

    def _elapsed(self, confirmation):
        # A list page computes every elapsed time from one query (the view puts them in the context).
        known = self.context.get("elapsed", {})
        if confirmation.pk in known:
            return known[confirmation.pk]
        if not hasattr(confirmation, "_elapsed"):
            confirmation._elapsed = elapsed_for(confirmation.mediation, confirmation)
        return confirmation._elapsed

    def get_elapsed(self, confirmation) -> int | None:
        elapsed = self._elapsed(confirmation)
        return elapsed.seconds if elapsed.finished else None

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_timeline(self, confirmation) -> list[dict]:
        events = self.context.get("timelines", {}).get(confirmation.pk)
        if events is None:
            events = timeline_of(confirmation)
        return TimelineEventSerializer(events, many=True).data


class ConfirmationDetailSerializer(ConfirmationSerializer):
    applicants = MediationPartySerializer(many=True, read_only=True)
    agreement = AgreementSerializer(read_only=True)
    supplement_items = serializers.ListField(child=serializers.CharField(), read_only=True)
    supplement_deadline = serializers.DateField(read_only=True, allow_null=True)
    elapsed_detail = serializers.SerializerMethodField()
    enforcement_filing = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ConfirmationSerializer.Meta):
        fields = [
            *ConfirmationSerializer.Meta.fields,
            "applicants",
            "agreement",
            "supplement_items",
            "supplement_deadline",
            "elapsed_detail",
            "enforcement_filing",
            "allowed_actions",
        ]

    @extend_schema_field(ElapsedSerializer)
    def get_elapsed_detail(self, confirmation) -> dict:
        return ElapsedSerializer(self._elapsed(confirmation)).data

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_enforcement_filing(self, confirmation) -> dict | None:
        filing = confirmation.enforcement_filing
        return {"id": filing.pk, "receipt_number": filing.receipt_number} if filing else None

    def get_allowed_actions(self, confirmation) -> list[str]:
        return allowed_confirmation_actions(self.context["request"].user, confirmation)
