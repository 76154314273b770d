"""API of the ground floor: tokens, the court registry and the legal calendar."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courts.api_tokens import revoke_tokens, token_for
from courts.error_shape import error_responses
from courts.legal_calendar import COURT_TZ, MAX_PERIOD, Unit, compute_deadline
from courts.login_throttle import client_address, login_attempt, retry_after_seconds
from courts.models import Court, Tribunal
from courts.selectors import courts_with_tribunals
from courts.serializers import CourtDateTimeField


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <token>`), valid for
    API_TOKEN_SECONDS; DELETE revokes the caller's own (courts.api_tokens)."""

    def _asking(self) -> bool:
        # Asking for a token needs no credentials but the password; revoking one needs the token (or a
        # session). The schema's generator asks with no request: it documents the asking.
        return getattr(self.request, "method", "POST") == "POST"

    def get_authenticators(self):
        return [] if self._asking() else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._asking() else [IsAuthenticated()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **error_responses(400, 429)},
        tags=["auth"],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = login_attempt(data.validated_data["username"], client_address(request))
        if attempt.begin():  # counted first: parallel tries cannot all slip under the limit
            raise exceptions.Throttled(
                wait=retry_after_seconds(), detail=gettext("Too many failed logins. Try again later.")
            )
        user = authenticate(request, **data.validated_data)
        if user is None:
            raise exceptions.ValidationError(
                {
                    "non_field_errors": [
                        gettext("The username or password is wrong, or the account is disabled.")
                    ]
                }
            )
        attempt.succeeded(reset_first=True)
        return Response({"token": token_for(user).key})

    @extend_schema(responses={204: None, **error_responses(401)}, tags=["auth"])
    def delete(self, request):
        revoke_tokens(type(request.user).objects.filter(pk=request.user.pk), actor=request.user)
        return Response(status=204)


class TribunalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tribunal
        fields = ["code", "name_zh", "name_en", "leads_alliance"]


class CourtSerializer(serializers.ModelSerializer):
    tribunals = TribunalSerializer(many=True, read_only=True)

    class Meta:
        model = Court
        fields = [
            "code",
            "name_zh",
            "name_en",
            "short_name_zh",
            "short_name_en",
            "province_zh",
            "province_en",
            "case_code",
            "region_code",
            "tribunals",
        ]


class CourtListView(APIView):
    """The zone's courts, each with its people's tribunals."""

    @extend_schema(responses={200: CourtSerializer(many=True), **error_responses(401)}, tags=["courts"])
    def get(self, request):
        return Response(CourtSerializer(courts_with_tribunals(), many=True).data)


class DeadlineQuerySerializer(serializers.Serializer):
    start = CourtDateTimeField(help_text=_("ISO 8601; a time without offset is read as Asia/Shanghai."))
    period = serializers.IntegerField(min_value=1, max_value=max(MAX_PERIOD.values()))
    unit = serializers.ChoiceField(choices=Unit.choices)

    def validate(self, attrs):
        limit = MAX_PERIOD[Unit(attrs["unit"])]
        if attrs["period"] > limit:
            raise serializers.ValidationError(
                {"period": [gettext("At most %(limit)d for this unit.") % {"limit": limit}]}
            )
        return attrs


class DeadlineSerializer(serializers.Serializer):
    due = serializers.DateTimeField()
    calendar_known = serializers.BooleanField(
        help_text=_("False when a year involved has no official calendar yet: weekends only were used.")
    )


class DeadlineView(APIView):
    """When a legal period ends (CPL 85); a last day that is a rest day moves to the next working day."""

    @extend_schema(
        parameters=[DeadlineQuerySerializer],
        responses={200: DeadlineSerializer, **error_responses(400, 401)},
        tags=["calendar"],
    )
    def get(self, request):
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        deadline = compute_deadline(**query.validated_data)
        return Response(
            {"due": deadline.due.astimezone(COURT_TZ).isoformat(), "calendar_known": deadline.calendar_known}
        )
