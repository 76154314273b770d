"""API of requests between courts: service (/api/service-requests/) and preservation
(/api/preservation-requests/). Transitions are POST actions calling the same services as the pages. Every
endpoint starts from cases.selectors, so a request between two other courts is a 404."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases import documents, permissions, selectors
from cases.filters import PreservationRequestFilter, ServiceRequestFilter
from cases.models import PreservationRequest, RequestAttachment, ServiceRequest
from cases.serializers.requests import (
    AttemptInputSerializer,
    PreservationAttachmentUploadSerializer,
    PreservationReportSerializer,
    PreservationRequestCreateSerializer,
    PreservationRequestDetailSerializer,
    PreservationRequestSerializer,
    RequestAttachmentSerializer,
    RequestCancelSerializer,
    RequestReturnSerializer,
    ServiceAttachmentUploadSerializer,
    ServiceFailureSerializer,
    ServiceRequestCreateSerializer,
    ServiceRequestDetailSerializer,
    ServiceRequestSerializer,
)
from cases.services import requests as request_services
from cases.services.preservation_requests import (
    MeasureInput,
    MeasureResult,
    measure_accounts_shown,
    preservation_request_create,
    preservation_request_report,
)
from cases.services.service_requests import (
    AttemptInput,
    DocumentInput,
    service_request_create,
    service_request_report_attempt,
    service_request_report_failure,
)
from courts.documents.api import document_actions
from courts.error_shape import error_responses, list_error_responses
from courts.filters import ListFilterBackend
from courts.login_throttle import client_address


def _common_schema(*, listed, detail, upload):
    """The schema of what both kinds share, for one kind's serializers."""
    transition = {200: detail, **error_responses(400, 401, 403, 404, 409)}
    return extend_schema_view(
        list=extend_schema(responses={200: listed(many=True), **list_error_responses()}),
        retrieve=extend_schema(responses={200: detail, **error_responses(401, 404)}),
        accept=extend_schema(request=None, responses={200: detail, **error_responses(401, 403, 404, 409)}),
        return_request=extend_schema(request=RequestReturnSerializer, responses=transition),
        cancel=extend_schema(request=RequestCancelSerializer, responses=transition),
        acknowledge=extend_schema(
            request=None, responses={200: detail, **error_responses(401, 403, 404, 409)}
        ),
        attachments=extend_schema(
            request={"multipart/form-data": upload},
            responses={201: RequestAttachmentSerializer, **error_responses(400, 401, 403, 404, 413)},
        ),
        attachment_file=extend_schema(
            responses={(200, "application/octet-stream"): bytes, **error_responses(401, 404)}
        ),
    )


class _EntrustedRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What service and preservation requests share: listing, detail, accept, return, cancel, acknowledge,
    attachments. `model` and the serializers are set by each kind."""

    model: type[ServiceRequest] | type[PreservationRequest]
    serializer_class = ServiceRequestSerializer
    detail_serializer_class = ServiceRequestDetailSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = ServiceRequestFilter
    upload_serializer_class = ServiceAttachmentUploadSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.request_list(self.request.user, self.model)
        return selectors.requests_visible_to(self.request.user, self.model)

    def url_id(self) -> int:
        try:
            return int(self.kwargs["pk"])
        except ValueError:
            raise Http404 from None

    def visible_id(self) -> int:
        """The id in the URL if this user's court may see that request, else a 404."""
        request_id = self.url_id()
        if not selectors.requests_visible_to(self.request.user, self.model).filter(pk=request_id).exists():
            raise Http404
        return request_id

    def detail_response(self, request_id: int, status_code=status.HTTP_200_OK) -> Response:
        try:
            record = selectors.request_detail(self.request.user, self.model, request_id)
        except self.model.DoesNotExist:
            raise Http404 from None
        context = {"request": self.request}
        if isinstance(record, PreservationRequest):
            context["accounts"] = measure_accounts_shown(
                user=self.request.user,
                request=record,
                measures=record.measures.all(),
                address=client_address(self.request),
            )
        body = self.detail_serializer_class(record, context=context).data
        return Response(body, status=status_code)

    def retrieve(self, request, pk=None):
        return self.detail_response(self.url_id())  # request_detail is scoped: another court's is a 404

    def create_request(self, serializer_class, service):
        if not permissions.may_send_requests(self.request.user):
            raise PermissionDenied(_("Only clerks and judges of the court handling the case send requests."))
        data = serializer_class(data=self.request.data, context={"request": self.request})
        data.is_valid(raise_exception=True)
        record = service(actor=self.request.user, **data.validated_data)
        return self.detail_response(record.pk, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        request_id = self.visible_id()
        request_services.request_accept(self.model, request_id=request_id, actor=request.user)
        return self.detail_response(request_id)

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_request(self, request, pk=None):
        request_id = self.visible_id()
        data = RequestReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        request_services.request_return(
            self.model, request_id=request_id, actor=request.user, reason=data.validated_data["reason"]
        )
        return self.detail_response(request_id)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        request_id = self.visible_id()
        data = RequestCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        request_services.request_cancel(
            self.model, request_id=request_id, actor=request.user, reason=data.validated_data["reason"]
        )
        return self.detail_response(request_id)

    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        request_id = self.visible_id()
        request_services.request_acknowledge(self.model, request_id=request_id, actor=request.user)
        return self.detail_response(request_id)

    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        request_id = self.visible_id()
        data = self.upload_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = request_services.request_attach(
            self.model,
            request_id=request_id,
            actor=request.user,
            upload=data.validated_data["file"],
            attempt_id=data.validated_data.get("attempt"),
        )
        return Response(RequestAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment_file(self, request, pk=None, attachment_id=None):
        request_id = self.visible_id()
        on_request = (
            {"service_request_id": request_id}
            if self.model is ServiceRequest
            else {"preservation_request_id": request_id}
        )
        attachment = RequestAttachment.objects.filter(pk=int(attachment_id), **on_request).first()
        if attachment is None:
            raise Http404
        return FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            filename=attachment.original_name,
        )


@_common_schema(
    listed=ServiceRequestSerializer,
    detail=ServiceRequestDetailSerializer,
    upload=ServiceAttachmentUploadSerializer,
)
class ServiceRequestViewSet(
    document_actions("service-requests", documents.SERVICE_REQUEST_DOCUMENTS), _EntrustedRequestViewSet
):
    """Entrusted service (委托送达): the entrusted court serves within 10 days of receipt (Interp 134)."""

    model = ServiceRequest

    @extend_schema(
        request=ServiceRequestCreateSerializer,
        responses={201: ServiceRequestDetailSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request):
        return self.create_request(ServiceRequestCreateSerializer, self._create)

    @staticmethod
    def _create(*, documents, **values):
        return service_request_create(documents=[DocumentInput(**d) for d in documents], **values)

    @extend_schema(
        request=AttemptInputSerializer,
        responses={200: ServiceRequestDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
        description=_("Record one attempt as the service receipt does; a served attempt completes it."),
    )
    @action(detail=True, methods=["post"], url_path="report-attempt")
    def report_attempt(self, request, pk=None):
        request_id = self.visible_id()
        data = AttemptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service_request_report_attempt(
            request_id=request_id, actor=request.user, attempt=AttemptInput(**data.validated_data)
        )
        return self.detail_response(request_id)

    @extend_schema(
        request=ServiceFailureSerializer,
        responses={200: ServiceRequestDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
        description=_("Service could not be done: report the final failure with its reason."),
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        request_id = self.visible_id()
        data = ServiceFailureSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service_request_report_failure(request_id=request_id, actor=request.user, **data.validated_data)
        return self.detail_response(request_id)


@_common_schema(
    listed=PreservationRequestSerializer,
    detail=PreservationRequestDetailSerializer,
    upload=PreservationAttachmentUploadSerializer,
)
class PreservationRequestViewSet(
    document_actions("preservation-requests", documents.PRESERVATION_REQUEST_DOCUMENTS),
    _EntrustedRequestViewSet,
):
    """Entrusted preservation (委托保全): urgent within 48 hours, others within 5 days (CPL 103/104)."""

    model = PreservationRequest
    serializer_class = PreservationRequestSerializer
    detail_serializer_class = PreservationRequestDetailSerializer
    filterset_class = PreservationRequestFilter
    upload_serializer_class = PreservationAttachmentUploadSerializer

    @extend_schema(
        request=PreservationRequestCreateSerializer,
        responses={201: PreservationRequestDetailSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request):
        return self.create_request(PreservationRequestCreateSerializer, self._create)

    @staticmethod
    def _create(*, measures, **values):
        return preservation_request_create(measures=[MeasureInput(**m) for m in measures], **values)

    @extend_schema(
        request=PreservationReportSerializer,
        responses={200: PreservationRequestDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
        description=_("Report every measure: what was preserved, for how much and until when (CPL 105)."),
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        request_id = self.visible_id()
        data = PreservationReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preservation_request_report(
            request_id=request_id,
            actor=request.user,
            results=[MeasureResult(**result) for result in data.validated_data["measures"]],
        )
        return self.detail_response(request_id)
