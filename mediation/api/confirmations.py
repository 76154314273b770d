"""API of judicial confirmation (/api/confirmations/). Transitions are POST actions calling the same services
as the pages; every endpoint starts from mediation.selectors, so a court with no part in it gets 404."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from courts.documents.api import document_actions
from courts.error_shape import error_responses, list_error_responses
from courts.filters import ListFilterBackend
from courts.models import Event
from mediation import documents, selectors
from mediation.elapsed import elapsed_for_confirmations
from mediation.filters import ConfirmationFilter
from mediation.models import Confirmation
from mediation.serializers.confirmations import (
    ConfirmationCreateSerializer,
    ConfirmationDetailSerializer,
    ConfirmationSerializer,
    GroundsSerializer,
    SupplementSerializer,
)
from mediation.serializers.mediations import FilingRefSerializer, MediationNoteSerializer
from mediation.services import confirmations

TRANSITION = {200: ConfirmationDetailSerializer, **error_responses(400, 401, 403, 404, 409)}


@extend_schema_view(
    list=extend_schema(responses={200: ConfirmationSerializer(many=True), **list_error_responses()}),
    retrieve=extend_schema(responses={200: ConfirmationDetailSerializer, **error_responses(401, 404)}),
)
class ConfirmationViewSet(
    document_actions("confirmations", documents.CONFIRMATION_DOCUMENTS),
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ConfirmationSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = ConfirmationFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.confirmation_list(self.request.user)
        return selectors.confirmations_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        timelines: dict[int, list] = {confirmation.pk: [] for confirmation in page}
        events = Event.objects.filter(
            subject_type=Confirmation._meta.label_lower, subject_id__in=list(timelines)
        )
        for event in events.select_related("actor", "actor_court").order_by("created_at", "id"):
            timelines[event.subject_id].append(event)
        context = {
            **self.get_serializer_context(),
            "timelines": timelines,
            "elapsed": elapsed_for_confirmations(page),
        }
        return self.get_paginated_response(ConfirmationSerializer(page, many=True, context=context).data)

    def visible_id(self) -> int:
        try:
            confirmation_id = int(self.kwargs["pk"])
        except ValueError:
            raise Http404 from None
        if not selectors.confirmations_visible_to(self.request.user).filter(pk=confirmation_id).exists():
            raise Http404
        return confirmation_id

    def detail_response(self, confirmation_id: int, status_code=status.HTTP_200_OK) -> Response:
        try:
            confirmation = selectors.confirmation_detail(self.request.user, confirmation_id)
        except Confirmation.DoesNotExist:
            raise Http404 from None
        body = ConfirmationDetailSerializer(confirmation, context={"request": self.request}).data
        return Response(body, status=status_code)

    def retrieve(self, request, pk=None):
        return self.detail_response(self.visible_id())

    @extend_schema(
        request=ConfirmationCreateSerializer,
        responses={201: ConfirmationDetailSerializer, **error_responses(400, 401, 403, 404)},
        description=_(
            "The parties' joint application within 30 days of the agreement taking effect (CPL 205), to a "
            "competent court; a refusal names the competent courts."
        ),
    )
    def create(self, request):
        data = ConfirmationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not selectors.mediations_visible_to(request.user).filter(pk=values["mediation"]).exists():
            raise Http404
        confirmation = confirmations.confirmation_apply(
            mediation_id=values["mediation"],
            actor=request.user,
            court=values["court"],
            applicants=values["applicants"],
        )
        return self.detail_response(confirmation.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TRANSITION, description=_("Registered as a 民特 case."))
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        confirmation_id = self.visible_id()
        confirmations.confirmation_register(confirmation_id=confirmation_id, actor=request.user)
        return self.detail_response(confirmation_id)

    @extend_schema(request=SupplementSerializer, responses=TRANSITION)
    @action(detail=True, methods=["post"], url_path="request-supplement")
    def request_supplement(self, request, pk=None):
        confirmation_id = self.visible_id()
        data = SupplementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmations.confirmation_request_supplement(
            confirmation_id=confirmation_id, actor=request.user, **data.validated_data
        )
        return self.detail_response(confirmation_id)

    @extend_schema(
        request=None, responses=TRANSITION, description=_("The agreement is valid and enforceable.")
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        confirmation_id = self.visible_id()
        confirmations.confirmation_confirm(confirmation_id=confirmation_id, actor=request.user)
        return self.detail_response(confirmation_id)

    @extend_schema(request=GroundsSerializer, responses=TRANSITION, description=_("Rejected (Interp 358)."))
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        confirmation_id = self.visible_id()
        data = GroundsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmations.confirmation_reject(
            confirmation_id=confirmation_id, actor=request.user, **data.validated_data
        )
        return self.detail_response(confirmation_id)

    @extend_schema(
        request=GroundsSerializer, responses=TRANSITION, description=_("Not accepted (Interp 355).")
    )
    @action(detail=True, methods=["post"], url_path="not-accept")
    def not_accept(self, request, pk=None):
        confirmation_id = self.visible_id()
        data = GroundsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmations.confirmation_not_accept(
            confirmation_id=confirmation_id, actor=request.user, **data.validated_data
        )
        return self.detail_response(confirmation_id)

    @extend_schema(request=MediationNoteSerializer, responses=TRANSITION)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        confirmation_id = self.visible_id()
        data = MediationNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmations.confirmation_withdraw(
            confirmation_id=confirmation_id, actor=request.user, **data.validated_data
        )
        return self.detail_response(confirmation_id)

    @extend_schema(
        request=None,
        responses={201: FilingRefSerializer, **error_responses(400, 401, 403, 404, 409)},
        description=_("An enforcement filing (执) at the confirming court, with the parties and the amount."),
    )
    @action(detail=True, methods=["post"], url_path="start-enforcement")
    def start_enforcement(self, request, pk=None):
        confirmation_id = self.visible_id()
        filing = confirmations.confirmation_start_enforcement(
            confirmation_id=confirmation_id, actor=request.user
        )
        return Response(FilingRefSerializer(filing).data, status=status.HTTP_201_CREATED)
