"""API of cross-region filing and cases. Transitions are POST actions calling the same services as the pages.
Every endpoint starts from cases.selectors, so another court's record is a 404."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases import documents, permissions, selectors
from cases.filters import CaseFilter, FilingFilter
from cases.models import Filing
from cases.serializers.filings import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    CorrectionSerializer,
    FilingCreatedSerializer,
    FilingCreateSerializer,
    FilingDetailSerializer,
    FilingSerializer,
    IdentitySerializer,
    OptionalReasonSerializer,
    ReasonSerializer,
    RegisterSerializer,
    ResubmitSerializer,
)
from cases.services import filings as filing_services
from cases.services.parties import PartyInput
from courts.documents.api import document_actions
from courts.error_shape import error_responses, list_error_responses
from courts.filters import ListFilterBackend
from courts.login_throttle import client_address
from courts.personal_data import personal_data_access_log, unseal


@extend_schema_view(
    list=extend_schema(responses={200: FilingSerializer(many=True), **list_error_responses()}),
    retrieve=extend_schema(responses={200: FilingDetailSerializer, **error_responses(401, 404)}),
)
class FilingViewSet(
    document_actions("filings", documents.FILING_DOCUMENTS),
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = FilingSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = FilingFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.filing_list(self.request.user)
        return selectors.filings_visible_to(self.request.user)

    def get_object(self) -> Filing:
        try:
            return selectors.filing_detail(self.request.user, int(self.kwargs["pk"]))
        except (Filing.DoesNotExist, ValueError):
            raise Http404 from None

    def retrieve(self, request, pk=None):
        return Response(FilingDetailSerializer(self.get_object(), context={"request": request}).data)

    def _detail(self, filing_id: int, status_code=status.HTTP_200_OK):
        filing = selectors.filing_detail(self.request.user, filing_id)
        return Response(
            FilingDetailSerializer(filing, context={"request": self.request}).data, status=status_code
        )

    @extend_schema(
        request=FilingCreateSerializer,
        responses={201: FilingCreatedSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request):
        if not permissions.may_file(request.user):
            raise PermissionDenied(_("Only window clerks file cross-region."))
        data = FilingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        filing, query_code = filing_services.filing_submit(
            actor=request.user,
            jurisdiction_court=values["jurisdiction_court"],
            category=values["category"],
            cause=values["cause"],
            claim_amount=values["claim_amount"],
            parties=[PartyInput(**party) for party in values["parties"]],
            materials=values["materials"],
            e_service_consent=values["e_service_consent"],
            pre_mediation_consent=values["pre_mediation_consent"],
        )
        filing = selectors.filing_detail(request.user, filing.pk)
        body = FilingCreatedSerializer(filing, context={"request": request, "query_code": query_code}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RegisterSerializer,
        responses={201: CaseSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        filing = self.get_object()
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = filing_services.filing_register(
            filing_id=filing.pk, actor=request.user, tribunal=data.validated_data["tribunal"]
        )
        return Response(CaseSerializer(selectors.case_detail(request.user, case.pk)).data, status=201)

    @extend_schema(
        request=CorrectionSerializer,
        responses={200: FilingDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="request-correction")
    def request_correction(self, request, pk=None):
        filing = self.get_object()
        data = CorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        filing_services.filing_request_correction(
            filing_id=filing.pk, actor=request.user, **data.validated_data
        )
        return self._detail(filing.pk)

    @extend_schema(
        request=ResubmitSerializer,
        responses={200: FilingDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        filing = self.get_object()
        data = ResubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        filing_services.filing_resubmit(
            filing_id=filing.pk,
            actor=request.user,
            materials_added=data.validated_data["materials"],
            note=data.validated_data["note"],
        )
        return self._detail(filing.pk)

    @extend_schema(
        request=OptionalReasonSerializer,
        responses={200: FilingDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="divert-to-mediation")
    def divert_to_mediation(self, request, pk=None):
        filing = self.get_object()
        data = OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        filing_services.filing_divert_to_mediation(
            filing_id=filing.pk, actor=request.user, note=data.validated_data["reason"]
        )
        return self._detail(filing.pk)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: FilingDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        filing = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        filing_services.filing_refuse(
            filing_id=filing.pk, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._detail(filing.pk)

    @extend_schema(
        request=OptionalReasonSerializer,
        responses={200: FilingDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        filing = self.get_object()
        data = OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        filing_services.filing_withdraw(
            filing_id=filing.pk, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._detail(filing.pk)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **error_responses(400, 401, 403, 404, 413)},
    )
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        filing = self.get_object()
        data = AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = filing_services.filing_attach(
            filing_id=filing.pk, actor=request.user, upload=data.validated_data["file"]
        )
        return Response(AttachmentSerializer(attachment).data, status=201)

    @extend_schema(responses={(200, "application/octet-stream"): bytes, **error_responses(401, 404)})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment_file(self, request, pk=None, attachment_id=None):
        filing = self.get_object()
        attachment = next((a for a in filing.attachments.all() if a.pk == int(attachment_id)), None)
        if attachment is None:
            raise Http404
        return FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            filename=attachment.original_name,
        )


@extend_schema_view(
    list=extend_schema(responses={200: CaseSerializer(many=True), **list_error_responses()}),
    retrieve=extend_schema(responses={200: CaseDetailSerializer, **error_responses(401, 404)}),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = CaseFilter

    def get_queryset(self):
        return selectors.case_list(self.request.user)

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer


class PartyViewSet(viewsets.GenericViewSet):
    serializer_class = IdentitySerializer

    def get_queryset(self):
        return selectors.parties_visible_to(self.request.user)

    @extend_schema(request=None, responses={200: IdentitySerializer, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The party's unmasked ID number and phone, for roles that need them. Every call is logged."""
        party = self.get_object()
        if not permissions.may_see_identity(request.user, party):
            raise PermissionDenied(_("Your role sees masked identity data only."))
        personal_data_access_log(
            user=request.user,
            subject=party,
            fields=["id_number", "phone"],
            purpose="api",
            address=client_address(request),
        )
        return Response({"id_number": unseal(party.id_number_cipher), "phone": unseal(party.phone_cipher)})
