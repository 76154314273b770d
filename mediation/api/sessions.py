"""API of mediation sessions (/api/mediation-sessions/): read one, list a tribunal's or a period's, and move,
cancel or minute one. Scheduling is on the mediation (/api/mediations/{id}/sessions/)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from courts.error_shape import error_responses, list_error_responses
from courts.filters import ListFilterBackend
from mediation import selectors
from mediation.filters import SessionFilter
from mediation.models import MediationSession
from mediation.serializers.sessions import (
    RecordSerializer,
    RescheduleSerializer,
    SessionCancelSerializer,
    SessionDetailSerializer,
)
from mediation.services import sessions

TRANSITION = {200: SessionDetailSerializer, **error_responses(400, 401, 403, 404, 409)}


@extend_schema_view(
    list=extend_schema(responses={200: SessionDetailSerializer(many=True), **list_error_responses()}),
    retrieve=extend_schema(responses={200: SessionDetailSerializer, **error_responses(401, 404)}),
)
class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SessionDetailSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = SessionFilter

    def get_queryset(self):
        return selectors.session_list(self.request.user)

    def visible_id(self) -> int:
        try:
            session_id = int(self.kwargs["pk"])
        except ValueError:
            raise Http404 from None
        if not selectors.sessions_visible_to(self.request.user).filter(pk=session_id).exists():
            raise Http404
        return session_id

    def detail_response(self, session_id: int) -> Response:
        try:
            session = selectors.session_detail(self.request.user, session_id)
        except MediationSession.DoesNotExist:
            raise Http404 from None
        return Response(SessionDetailSerializer(session).data)

    def retrieve(self, request, pk=None):
        return self.detail_response(self.visible_id())

    @extend_schema(request=RecordSerializer, responses=TRANSITION, description=_("Minutes and who came."))
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        session_id = self.visible_id()
        data = RecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sessions.session_record(session_id=session_id, actor=request.user, **data.validated_data)
        return self.detail_response(session_id)

    @extend_schema(request=RescheduleSerializer, responses=TRANSITION)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        session_id = self.visible_id()
        data = RescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sessions.session_reschedule(session_id=session_id, actor=request.user, **data.validated_data)
        return self.detail_response(session_id)

    @extend_schema(request=SessionCancelSerializer, responses=TRANSITION)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session_id = self.visible_id()
        data = SessionCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sessions.session_cancel(session_id=session_id, actor=request.user, **data.validated_data)
        return self.detail_response(session_id)
