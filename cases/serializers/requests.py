"""API shapes for requests between courts: service (委托送达) and preservation (委托保全). Courts are shown
and taken by code; the recipient or respondent is shown by id, name and role only (never an ID number or
phone).

Input serializers check shapes (types, lengths, choices); the business rules (a party of the case, another
court, the amount the ruling allows, dates of attempts) are the services' and come back as the same 400."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import selectors
from cases.models import (
    Case,
    Party,
    PreservationMeasure,
    PreservationRequest,
    RequestAttachment,
    ServiceAttempt,
    ServiceDocument,
    ServiceMethod,
    ServiceRequest,
)
from cases.permissions import allowed_request_actions
from cases.serializers.filings import CaseRefSerializer
from cases.services.filings import MAX_CLAIM_AMOUNT
from cases.services.preservation_requests import MAX_MEASURES
from cases.services.requests import TRANSITIONS
from cases.services.service_requests import MAX_DOCUMENTS
from courts.selectors import acting_court
from courts.serializers import (
    CourtCodeField,
    CourtDateField,
    CourtDateTimeField,
    IdField,
    TimelineEventSerializer,
)
from courts.timeline import timeline_of

# Where each kind lives in the API (download links are built from it).
API_PREFIX = {ServiceRequest: "/api/service-requests/", PreservationRequest: "/api/preservation-requests/"}
MEASURE_OUTCOMES = [
    (value, label) for value, label in PreservationMeasure.Result.choices if value != "pending"
]


def _name(user) -> str | None:
    return (user.get_full_name() or user.username) if user else None


# --- input ------------------------------------------------------------------------------------------------


class OwnCaseField(serializers.PrimaryKeyRelatedField):
    """A case of the user's own court, by id. Any other id, existing or not, "does not exist": nobody learns
    of another court's case this way."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Case.objects.all(), **kwargs)  # the model names the id's type in the schema

    def get_queryset(self):
        user = self.context["request"].user
        return selectors.cases_visible_to(user).filter(court=acting_court(user))


class _NewRequestSerializer(serializers.Serializer):
    """What both kinds of request start from."""

    case = OwnCaseField(help_text=_("A case of your court, by id."))
    entrusted_court = CourtCodeField(help_text=_("The court asked to help, by code, e.g. jiashan."))
    party_field = ""

    def validate(self, attrs):
        # The party must belong to this case; an id of any other party is refused by the service, as is none.
        party_id = attrs[self.party_field]
        attrs[self.party_field] = Party.objects.filter(pk=party_id, case=attrs["case"]).first()
        return attrs


class DocumentInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    copies = serializers.IntegerField(min_value=1, max_value=100, required=False, default=1)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class ServiceRequestCreateSerializer(_NewRequestSerializer):
    party_field = "recipient"
    recipient = IdField(min_value=1, help_text=_("The party to serve, by id: a party of the case."))
    address = serializers.CharField(max_length=200, allow_blank=True, help_text=_("Address for service."))
    documents = DocumentInputSerializer(many=True, max_length=MAX_DOCUMENTS)
    method = serializers.ChoiceField(choices=ServiceMethod.choices, help_text=_("The method asked for."))
    letter_number = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Number of the letter of entrustment (委托函)."),
    )


class MeasureInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=PreservationMeasure.Type.choices)
    property_type = serializers.ChoiceField(choices=PreservationMeasure.PropertyType.choices)
    registry = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("The registry or bank that carries the measure out; `bank` is the same field."),
    )
    bank = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_("Same as `registry`.")
    )
    account = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    def validate(self, attrs):
        registry, bank = attrs.pop("registry", "").strip(), attrs.pop("bank", "").strip()
        if registry and bank and registry != bank:
            raise serializers.ValidationError(
                {"registry": [_("Give the registry or the bank once: `registry` and `bank` differ.")]}
            )
        attrs["registry"] = registry or bank
        return attrs


class PreservationRequestCreateSerializer(_NewRequestSerializer):
    party_field = "respondent"
    respondent = IdField(
        min_value=1, help_text=_("The party whose property is preserved, by id: a party of the case.")
    )
    urgent = serializers.BooleanField(
        required=False, default=False, help_text=_("Urgent: carried out within 48 hours (CPL 103/104).")
    )
    stage = serializers.ChoiceField(choices=PreservationRequest.Stage.choices)
    allowed_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_CLAIM_AMOUNT,
        help_text=_("The amount the preservation ruling allows; no measure may exceed it (CPL 105)."),
    )
    ruling_number = serializers.CharField(
        max_length=60, help_text=_("The preservation ruling's case number.")
    )
    ruling_date = CourtDateField(required=False, allow_null=True, default=None)
    measures = MeasureInputSerializer(many=True, max_length=MAX_MEASURES)


class AttemptInputSerializer(serializers.Serializer):
    """One attempt at service, as the service receipt (送达回证) records it."""

    method = serializers.ChoiceField(choices=ServiceMethod.choices)
    result = serializers.ChoiceField(
        choices=ServiceAttempt.Result.choices, help_text=_("A served attempt completes the request.")
    )
    served_at = CourtDateTimeField(
        help_text=_("When it was signed, left, reached the system or posted (ISO 8601).")
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    signer = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    relation = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The signer's relation to the recipient."),
    )
    reason = serializers.ChoiceField(
        choices=ServiceAttempt.FailureReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why it failed (required when the result is failed)."),
    )
    refusal_reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    witness = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    officers = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The serving officers; the reporting officer if left out."),
    )
    remarks = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ServiceFailureSerializer(serializers.Serializer):
    """Service could not be done: the final result, with its reason."""

    reason = serializers.ChoiceField(choices=ServiceAttempt.FailureReason.choices)
    remarks = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MeasureResultInputSerializer(serializers.Serializer):
    measure = IdField(help_text=_("A measure of this request, by id."))
    result = serializers.ChoiceField(choices=MEASURE_OUTCOMES)
    amount_done = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    term_ends_on = CourtDateField(
        required=False,
        allow_null=True,
        help_text=_("Defaults to the longest term for the property (Interp 485)."),
    )
    receipt = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    failure_reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PreservationReportSerializer(serializers.Serializer):
    measures = MeasureResultInputSerializer(
        many=True, max_length=MAX_MEASURES, help_text=_("One result for every measure of the request.")
    )


class RequestReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Why the entrusted court sends it back."))


class RequestCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ServiceAttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, JPEG or PNG, at most 20 MB."))
    attempt = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("An attempt of this request, for a photo of its signed service receipt."),
    )


class PreservationAttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, JPEG or PNG, at most 20 MB."))


# --- output -----------------------------------------------------------------------------------------------


class PartyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "name", "role"]


class RequestAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = RequestAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at", "attempt", "url"]

    def get_url(self, attachment) -> str:
        if attachment.service_request_id:
            prefix, request_id = API_PREFIX[ServiceRequest], attachment.service_request_id
        else:
            prefix, request_id = API_PREFIX[PreservationRequest], attachment.preservation_request_id
        return f"{prefix}{request_id}/attachments/{attachment.pk}/"


class _RequestSerializer(serializers.ModelSerializer):
    requesting_court = serializers.SlugRelatedField(slug_field="code", read_only=True)
    entrusted_court = serializers.SlugRelatedField(slug_field="code", read_only=True)
    case = CaseRefSerializer(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    requested_by = serializers.SerializerMethodField()
    officer = serializers.SerializerMethodField(help_text=_("The officer who accepted it."))

    common_fields = [
        "id",
        "reference",
        "state",
        "state_label",
        "requesting_court",
        "entrusted_court",
        "case",
        "requested_by",
        "created_at",
        "received_at",
        "due_at",
        "due_calendar_known",
        "overdue",
        "accepted_at",
        "officer",
        "reported_at",
        "closed_at",
        "reason",
    ]

    def get_requested_by(self, request) -> str:
        return _name(request.created_by)

    def get_officer(self, request) -> str | None:
        return _name(request.officer)


class _RequestDetailMixin(serializers.Serializer):
    attachments = RequestAttachmentSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    detail_fields = ["attachments", "allowed_actions", "timeline"]

    def get_allowed_actions(self, request) -> list[str]:
        return allowed_request_actions(self.context["request"].user, request, TRANSITIONS[type(request)])

    def get_timeline(self, request) -> list[dict]:
        return TimelineEventSerializer(timeline_of(request), many=True).data


class ServiceDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceDocument
        fields = ["id", "name", "copies", "reference"]


class ServiceAttemptSerializer(serializers.ModelSerializer):
    served_at = serializers.DateTimeField(source="attempted_at", read_only=True)

    class Meta:
        model = ServiceAttempt
        fields = [
            "id",
            "method",
            "result",
            "served_at",
            "place",
            "signer",
            "relation",
            "reason",
            "refusal_reason",
            "witness",
            "officers",
            "remarks",
            "served_on",
            "recorded_at",
        ]


class ServiceRequestSerializer(_RequestSerializer):
    recipient = PartyRefSerializer(read_only=True)

    class Meta:
        model = ServiceRequest
        fields = [
            *_RequestSerializer.common_fields,
            "recipient",
            "address",
            "method",
            "letter_number",
            "served_on",
            "failure_reason",
        ]


class ServiceRequestDetailSerializer(_RequestDetailMixin, ServiceRequestSerializer):
    documents = ServiceDocumentSerializer(many=True, read_only=True)
    attempts = ServiceAttemptSerializer(many=True, read_only=True)

    class Meta(ServiceRequestSerializer.Meta):
        fields = [
            *ServiceRequestSerializer.Meta.fields,
            "documents",
            "attempts",
            *_RequestDetailMixin.detail_fields,
        ]


class PreservationMeasureSerializer(serializers.ModelSerializer):
    account = serializers.SerializerMethodField(
        help_text=_("Masked unless you carry the measure out or asked for it.")
    )

    def get_account(self, measure) -> str:
        # The view decides, and logs, what this user sees (measure_accounts_shown); masked otherwise.
        return self.context.get("accounts", {}).get(measure.pk, measure.account_masked)

    class Meta:
        model = PreservationMeasure
        fields = [
            "id",
            "type",
            "property_type",
            "registry",
            "account",
            "amount",
            "result",
            "amount_done",
            "term_ends_on",
            "receipt",
            "failure_reason",
        ]


class PreservationRequestSerializer(_RequestSerializer):
    respondent = PartyRefSerializer(read_only=True)

    class Meta:
        model = PreservationRequest
        fields = [
            *_RequestSerializer.common_fields,
            "respondent",
            "urgent",
            "stage",
            "allowed_amount",
            "ruling_number",
            "ruling_date",
            "carried_out_at",
        ]


class PreservationRequestDetailSerializer(_RequestDetailMixin, PreservationRequestSerializer):
    measures = PreservationMeasureSerializer(many=True, read_only=True)

    class Meta(PreservationRequestSerializer.Meta):
        fields = [*PreservationRequestSerializer.Meta.fields, "measures", *_RequestDetailMixin.detail_fields]
