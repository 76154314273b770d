"""API shapes of joint mediation. Courts and tribunals are taken and shown by code (wujiang, xitang), staff
by username; parties by id, name and role with masked ID numbers and phones (the filing API's shape).

Input serializers check shapes (types, lengths, choices); the business rules (another court's tribunal, a
judge of that tribunal, payments adding up, every party signing) are the services' and come back as the
same 400 with the field named."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.serializers.filings import PartyInputSerializer, PartySerializer
from cases.services.filings import MAX_CLAIM_AMOUNT, MAX_MATERIALS
from cases.services.parties import MAX_PARTIES
from courts.models import User
from courts.serializers import (
    CodeField,
    CourtCodeField,
    CourtDateField,
    CourtDateTimeField,
    IdField,
    TimelineEventSerializer,
    TribunalCodeField,
)
from mediation.elapsed import days_and_hours, elapsed_for
from mediation.models import (
    Agreement,
    AgreementPayment,
    AgreementSignature,
    Extension,
    Invitation,
    Mediation,
    MediationParty,
    MediationSession,
)
from mediation.permissions import allowed_mediation_actions
from mediation.selectors import mediation_timeline
from mediation.services.agreements import MAX_PAYMENTS

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class UsernameField(CodeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", User.objects.filter(is_active=True))
        super().__init__(**kwargs)


# --- input ------------------------------------------------------------------------------------------------


class MediationCreateSerializer(serializers.Serializer):
    lead_tribunal = TribunalCodeField(help_text=_("The tribunal that leads, by code, e.g. fenhu."))
    invited_tribunals = serializers.ListField(
        child=TribunalCodeField(), min_length=1, max_length=10, help_text=_("Tribunals of other courts.")
    )
    jurisdiction_court = CourtCodeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The court with jurisdiction if mediation fails; from the filing or case if omitted."),
    )
    property_court = CourtCodeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Where the property in dispute lies, if anywhere (a competent court for confirmation)."),
    )
    cause = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    claim_amount = serializers.DecimalField(
        **AMOUNT,
        min_value=Decimal("0.01"),
        max_value=MAX_CLAIM_AMOUNT,
        required=False,
        allow_null=True,
        default=None,
    )
    consent = serializers.BooleanField(help_text=_("The parties consent to mediation: must be true."))
    filing = IdField(
        required=False, allow_null=True, default=None, help_text=_("A filing diverted to mediation.")
    )
    case = IdField(required=False, allow_null=True, default=None)
    parties = PartyInputSerializer(many=True, required=False, max_length=MAX_PARTIES, default=list)
    materials = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=MAX_MATERIALS, default=list
    )


class AcceptSerializer(serializers.Serializer):
    tribunal = TribunalCodeField(help_text=_("The invited tribunal answering."))
    mediator = UsernameField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A judge of that tribunal; you by default."),
    )


class DeclineSerializer(serializers.Serializer):
    tribunal = TribunalCodeField()
    reason = serializers.CharField(max_length=2000)


class InviteSerializer(serializers.Serializer):
    tribunals = serializers.ListField(child=TribunalCodeField(), min_length=1, max_length=10)


class CancelInvitationSerializer(serializers.Serializer):
    tribunal = TribunalCodeField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PaymentInputSerializer(serializers.Serializer):
    due_on = CourtDateField()
    amount = serializers.DecimalField(**AMOUNT, max_value=MAX_CLAIM_AMOUNT)


class SignatureInputSerializer(serializers.Serializer):
    party = IdField(help_text=_("A party's id in this mediation."))
    signed_at = CourtDateTimeField()
    method = serializers.ChoiceField(choices=AgreementSignature.Method.choices)


class AgreeSerializer(serializers.Serializer):
    terms = serializers.CharField(max_length=20000)
    amount = serializers.DecimalField(
        **AMOUNT,
        min_value=Decimal("0"),
        max_value=MAX_CLAIM_AMOUNT,
        required=False,
        allow_null=True,
        default=None,
    )
    payments = PaymentInputSerializer(many=True, required=False, max_length=MAX_PAYMENTS, default=list)
    signatures = SignatureInputSerializer(many=True, max_length=MAX_PARTIES)
    effective_on = CourtDateField()
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Only when replacing the agreement in force: why."),
    )
    replaces = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Only when replacing: the id of the agreement in force that this one replaces."),
    )


class MediationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class MediationNoteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ExtendSerializer(serializers.Serializer):
    until = CourtDateField()
    reason = serializers.CharField(max_length=2000)
    agreed_by = serializers.ListField(
        child=IdField(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The parties who agreed (every party must); all of them if omitted."),
    )


# --- output -----------------------------------------------------------------------------------------------


class MediationPartySerializer(PartySerializer):
    class Meta(PartySerializer.Meta):
        model = MediationParty


class InvitationSerializer(serializers.ModelSerializer):
    tribunal = serializers.SlugRelatedField(slug_field="code", read_only=True)
    court = serializers.SlugRelatedField(slug_field="code", read_only=True)
    mediator = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "tribunal",
            "court",
            "state",
            "state_label",
            "mediator",
            "invited_at",
            "received_at",
            "due_at",
            "due_calendar_known",
            "overdue",
            "answered_at",
            "decline_reason",
        ]

    def get_overdue(self, invitation) -> bool:
        return invitation.overdue_at is not None and invitation.state == Invitation.State.RECEIVED


class SessionSerializer(serializers.ModelSerializer):
    tribunal = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    mediators = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    attendance = serializers.PrimaryKeyRelatedField(source="present", many=True, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = MediationSession
        fields = [
            "id",
            "mediation",
            "state",
            "state_label",
            "starts_at",
            "ends_at",
            "mode",
            "tribunal",
            "room",
            "meeting_url",
            "mediators",
            "off_hours_reason",
            "attendance",
            "minutes",
            "recorded_at",
            "cancel_reason",
        ]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementPayment
        fields = ["due_on", "amount"]


class SignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementSignature
        fields = ["party", "signed_at", "method"]


class AgreementSerializer(serializers.ModelSerializer):
    payments = PaymentSerializer(many=True, read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "state",
            "terms",
            "amount",
            "effective_on",
            "payments",
            "signatures",
            "replaces",
            "replacement_reason",
            "created_at",
        ]


class ExtensionSerializer(serializers.ModelSerializer):
    agreed_by = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Extension
        fields = ["previous_end", "until", "reason", "agreed_by", "created_at"]


class ElapsedStepSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    seconds = serializers.IntegerField()
    share = serializers.FloatField(help_text=_("Share of the whole time, 0 to 1."))


class ElapsedSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField(allow_null=True, help_text=_("The complaint reached the court."))
    ended_at = serializers.DateTimeField(allow_null=True, help_text=_("The ruling; null while it runs."))
    stopped_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When it ended without a ruling (failed, withdrawn, expired).")
    )
    seconds = serializers.IntegerField()
    days = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()
    steps = ElapsedStepSerializer(many=True)

    def get_days(self, elapsed) -> int:
        return days_and_hours(elapsed.seconds)[0]

    def get_hours(self, elapsed) -> int:
        return days_and_hours(elapsed.seconds)[1]


class MediationSerializer(serializers.ModelSerializer):
    lead_court = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead_tribunal = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead_mediator = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    jurisdiction_court = serializers.SlugRelatedField(slug_field="code", read_only=True)
    property_court = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    filing = serializers.PrimaryKeyRelatedField(source="origin_filing", read_only=True, allow_null=True)
    case = serializers.PrimaryKeyRelatedField(source="origin_case", read_only=True, allow_null=True)
    invitations = InvitationSerializer(many=True, read_only=True)
    parties = MediationPartySerializer(many=True, read_only=True)
    sessions = SessionSerializer(many=True, read_only=True)
    agreement = serializers.SerializerMethodField(help_text=_("The agreement in force, if any."))
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Mediation
        fields = [
            "id",
            "number",
            "state",
            "state_label",
            "origin",
            "filing",
            "case",
            "lead_court",
            "lead_tribunal",
            "lead_mediator",
            "invitations",
            "jurisdiction_court",
            "property_court",
            "cause",
            "claim_amount",
            "parties",
            "created_at",
            "accepted_at",
            "expires_on",
            "expiry_calendar_known",
            "ended_at",
            "end_reason",
            "sessions",
            "agreement",
            "timeline",
        ]

    @extend_schema_field(AgreementSerializer(allow_null=True))
    def get_agreement(self, mediation) -> dict | None:
        in_force = next((a for a in mediation.agreements.all() if a.state == Agreement.State.IN_FORCE), None)
        return AgreementSerializer(in_force).data if in_force else None

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_timeline(self, mediation) -> list[dict]:
        # A list page reads every timeline in one query (selectors.attach_timelines); a detail, its own.
        events = getattr(mediation, "timeline_events", None)
        if events is None:
            events = mediation_timeline(mediation)
        return TimelineEventSerializer(events, many=True).data


class MediationDetailSerializer(MediationSerializer):
    agreements = AgreementSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    confirmations = serializers.SerializerMethodField()
    resulting_filing = serializers.SerializerMethodField()
    materials = serializers.ListField(child=serializers.CharField(), read_only=True)
    elapsed = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta(MediationSerializer.Meta):
        fields = [
            *MediationSerializer.Meta.fields,
            "materials",
            "agreements",
            "extensions",
            "confirmations",
            "resulting_filing",
            "elapsed",
            "allowed_actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_confirmations(self, mediation) -> list[dict]:
        return [
            {
                "id": c.pk,
                "court": c.court.code,
                "state": c.state,
                "case_number": c.case.number if c.case_id else None,
            }
            for c in mediation.confirmations.all()
        ]

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_resulting_filing(self, mediation) -> dict | None:
        filing = mediation.resulting_filing
        return {"id": filing.pk, "receipt_number": filing.receipt_number} if filing else None

    @extend_schema_field(ElapsedSerializer)
    def get_elapsed(self, mediation) -> dict:
        return ElapsedSerializer(elapsed_for(mediation)).data

    def get_allowed_actions(self, mediation) -> list[str]:
        return allowed_mediation_actions(self.context["request"].user, mediation)


class MediationCreatedSerializer(MediationDetailSerializer):
    query_code = serializers.SerializerMethodField(help_text=_("Shown once: give it to the parties."))

    class Meta(MediationDetailSerializer.Meta):
        fields = [*MediationDetailSerializer.Meta.fields, "query_code"]

    def get_query_code(self, mediation) -> str:
        return self.context["query_code"]


class FilingRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    receipt_number = serializers.CharField()
    jurisdiction_court = serializers.CharField(source="jurisdiction_court.code")
    state = serializers.CharField()
