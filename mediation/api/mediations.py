"""API of joint mediation (/api/mediations/). Transitions are POST actions calling the same services as the
pages. Every endpoint starts from mediation.selectors, so a court with no part in a mediation gets 404."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.serializers.filings import IdentitySerializer
from cases.services.parties import PartyInput
from courts.documents.api import document_actions
from courts.error_shape import error_responses, list_error_responses
from courts.filters import ListFilterBackend
from courts.login_throttle import client_address
from courts.personal_data import personal_data_access_log, unseal
from mediation import documents, permissions, selectors
from mediation.filters import MediationFilter
from mediation.models import Invitation, Mediation, MediationParty
from mediation.serializers.mediations import (
    AcceptSerializer,
    AgreeSerializer,
    CancelInvitationSerializer,
    DeclineSerializer,
    ExtendSerializer,
    FilingRefSerializer,
    InviteSerializer,
    MediationCreatedSerializer,
    MediationCreateSerializer,
    MediationDetailSerializer,
    MediationNoteSerializer,
    MediationReasonSerializer,
    MediationSerializer,
)
from mediation.serializers.sessions import ScheduleSerializer, SessionSerializer
from mediation.services import agreements, mediations, sessions
from mediation.services.agreements import PaymentInput, SignatureInput

TRANSITION = {200: MediationDetailSerializer, **error_responses(400, 401, 403, 404, 409)}


def _action(serializer, description: str = ""):
    return extend_schema(request=serializer, responses=TRANSITION, description=description)


@extend_schema_view(
    list=extend_schema(responses={200: MediationSerializer(many=True), **list_error_responses()}),
    retrieve=extend_schema(responses={200: MediationDetailSerializer, **error_responses(401, 404)}),
)
class MediationViewSet(
    document_actions("mediations", documents.MEDIATION_DOCUMENTS),
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MediationSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = MediationFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.with_sessions_and_agreements(selectors.mediation_list(self.request.user))
        return selectors.mediations_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        selectors.attach_timelines(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def visible_id(self) -> int:
        try:
            mediation_id = int(self.kwargs["pk"])
        except ValueError:
            raise Http404 from None
        if not selectors.mediations_visible_to(self.request.user).filter(pk=mediation_id).exists():
            raise Http404
        return mediation_id

    def detail_response(self, mediation_id: int, status_code=status.HTTP_200_OK, serializer=None, **context):
        try:
            mediation = selectors.mediation_detail(self.request.user, mediation_id)
        except Mediation.DoesNotExist:
            raise Http404 from None
        serializer = serializer or MediationDetailSerializer
        body = serializer(mediation, context={"request": self.request, **context}).data
        return Response(body, status=status_code)

    def retrieve(self, request, pk=None):
        return self.detail_response(self.visible_id())

    @extend_schema(
        request=MediationCreateSerializer,
        responses={201: MediationCreatedSerializer, **error_responses(400, 401, 403)},
        description=_(
            "Open a pre-filing mediation led by a tribunal of your court, from a diverted filing, a case, "
            "or parties entered here; the invited tribunals receive it by delivery."
        ),
    )
    def create(self, request):
        data = MediationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not permissions.may_open(request.user, values["lead_tribunal"]):
            raise PermissionDenied(_("Only a judge of the lead tribunal opens its mediation."))
        mediation, query_code = mediations.mediation_open(
            actor=request.user,
            lead_tribunal=values["lead_tribunal"],
            invited_tribunals=values["invited_tribunals"],
            origin=mediations.Origin(
                filing_id=values["filing"],
                case_id=values["case"],
                parties=[PartyInput(**party) for party in values["parties"]],
            ),
            consent=values["consent"],
            cause=values["cause"],
            claim_amount=values["claim_amount"],
            jurisdiction_court=values["jurisdiction_court"],
            property_court=values["property_court"],
            materials=values["materials"],
        )
        return self.detail_response(
            mediation.pk, status.HTTP_201_CREATED, MediationCreatedSerializer, query_code=query_code
        )

    def _invitation(self, mediation_id: int, tribunal) -> Invitation:
        # The tribunal's latest invitation, whatever its state: one the lead withdrew answers 409 (closed),
        # not "not invited"; a tribunal asked again after declining answers its new one.
        invitation = (
            Invitation.objects.filter(mediation_id=mediation_id, tribunal=tribunal)
            .order_by("-invited_at", "-id")
            .first()
        )
        if invitation is None:
            raise ValidationError({"tribunal": [_("That tribunal was not invited to this mediation.")]})
        return invitation

    @_action(AcceptSerializer, _("The invited tribunal takes part and names its mediator."))
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        mediation_id = self.visible_id()
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = self._invitation(mediation_id, data.validated_data["tribunal"])
        mediations.invitation_accept(
            invitation_id=invitation.pk, actor=request.user, mediator=data.validated_data["mediator"]
        )
        return self.detail_response(mediation_id)

    @_action(DeclineSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        mediation_id = self.visible_id()
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = self._invitation(mediation_id, data.validated_data["tribunal"])
        mediations.invitation_decline(
            invitation_id=invitation.pk, actor=request.user, reason=data.validated_data["reason"]
        )
        return self.detail_response(mediation_id)

    @_action(
        InviteSerializer, _("Invite more tribunals; after every invited tribunal declined, it opens again.")
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        mediation_id = self.visible_id()
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mediations.mediation_invite(
            mediation_id=mediation_id, actor=request.user, tribunals=data.validated_data["tribunals"]
        )
        return self.detail_response(mediation_id)

    @_action(CancelInvitationSerializer, _("Withdraw an invitation not yet answered."))
    @action(detail=True, methods=["post"], url_path="cancel-invitation")
    def cancel_invitation(self, request, pk=None):
        mediation_id = self.visible_id()
        data = CancelInvitationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mediations.invitation_cancel(mediation_id=mediation_id, actor=request.user, **data.validated_data)
        return self.detail_response(mediation_id)

    @extend_schema(
        request=ScheduleSerializer,
        responses={201: SessionSerializer, **error_responses(400, 401, 403, 404, 409)},
        description=_(
            "Schedule a session; no mediator or room may be booked twice. The first one puts the mediation "
            "in session."
        ),
    )
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        mediation_id = self.visible_id()
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = sessions.session_schedule(
            mediation_id=mediation_id, actor=request.user, **data.validated_data
        )
        session = selectors.session_detail(request.user, session.pk)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @_action(AgreeSerializer, _("The agreement every party signed; on an agreed mediation, a replacement."))
    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        mediation_id = self.visible_id()
        data = AgreeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        agreements.mediation_agree(
            mediation_id=mediation_id,
            actor=request.user,
            terms=values["terms"],
            amount=values["amount"],
            payments=[PaymentInput(**payment) for payment in values["payments"]],
            signatures=[SignatureInput(**signature) for signature in values["signatures"]],
            effective_on=values["effective_on"],
            reason=values["reason"],
            replaces=values["replaces"],
        )
        return self.detail_response(mediation_id)

    @_action(MediationReasonSerializer)
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        mediation_id = self.visible_id()
        data = MediationReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mediations.mediation_fail(mediation_id=mediation_id, actor=request.user, **data.validated_data)
        return self.detail_response(mediation_id)

    @_action(ExtendSerializer, _("The parties agreed to mediate longer: the new end date."))
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        mediation_id = self.visible_id()
        data = ExtendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mediations.mediation_extend(mediation_id=mediation_id, actor=request.user, **data.validated_data)
        return self.detail_response(mediation_id)

    @_action(MediationNoteSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        mediation_id = self.visible_id()
        data = MediationNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mediations.mediation_withdraw(mediation_id=mediation_id, actor=request.user, **data.validated_data)
        return self.detail_response(mediation_id)

    @extend_schema(
        request=None,
        responses={201: FilingRefSerializer, **error_responses(400, 401, 403, 404, 409)},
        description=_("A failed or expired mediation becomes a filing at the court with jurisdiction."),
    )
    @action(detail=True, methods=["post"], url_path="convert-to-filing")
    def convert_to_filing(self, request, pk=None):
        mediation_id = self.visible_id()
        filing = mediations.mediation_convert_to_filing(mediation_id=mediation_id, actor=request.user)
        return Response(FilingRefSerializer(filing).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: IdentitySerializer, **error_responses(401, 403, 404)},
        description=_("A party's unmasked ID number and phone, for the mediators; every call is logged."),
    )
    @action(detail=True, methods=["post"], url_path=r"parties/(?P<party_id>\d+)/reveal")
    def reveal(self, request, pk=None, party_id=None):
        mediation = selectors.mediation_detail(request.user, self.visible_id())
        party = MediationParty.objects.filter(pk=int(party_id), mediation=mediation).first()
        if party is None:
            raise Http404
        if not permissions.may_see_identity(request.user, mediation):
            raise PermissionDenied(_("Your role sees masked identity data only."))
        personal_data_access_log(
            user=request.user,
            subject=party,
            fields=["id_number", "phone"],
            purpose="api",
            address=client_address(request),
        )
        return Response({"id_number": unseal(party.id_number_cipher), "phone": unseal(party.phone_cipher)})
