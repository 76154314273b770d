"""`POST /api/public/status/`: the litigants' status lookup for the courts' other systems (a WeChat mini
program, a self-service terminal). No account; the number and query code as the status page takes them
(cases.status). One generic refusal for an unknown number and a wrong code alike (404), 429 when the
address is throttled or the number locked; never cached."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.status import (
    CODE_MAX_LENGTH,
    NUMBER_MAX_LENGTH,
    STATUS_KINDS,
    Result,
    iso_moment,
    refusal_message,
    status_lookup,
)
from courts.error_shape import error_body, error_responses
from courts.login_throttle import client_address

# Generous limits: an over-long number or code is refused like a wrong one (404), not by its length.
_LIMITS = {"number": NUMBER_MAX_LENGTH * 4, "code": CODE_MAX_LENGTH * 4}


class StatusRequestSerializer(serializers.Serializer):
    number = serializers.CharField(
        max_length=_LIMITS["number"], help_text="Receipt, case or mediation number"
    )
    code = serializers.CharField(max_length=_LIMITS["code"], help_text="The query code on the receipt")


def _field(data, name: str) -> str | None:
    """StatusRequestSerializer's field `name` as its CharField reads it (a string, or a number as one;
    spaces trimmed; not blank; at most max_length), or None. Checked here rather than by the serializer,
    which copies its fields at each instance: a fifth of a kept answer's time (bench/status_lookup.py). The
    serializer stays the schema's; a test holds the two to the same answers."""
    value = data.get(name) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    value = str(value).strip()
    return value if value and len(value) <= _LIMITS[name] else None


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
)
class MomentField(serializers.Field):
    """A date (a service date) or a moment (in the courts' time zone), as ISO 8601."""

    def to_representation(self, value):
        return iso_moment(value)


class MilestoneSerializer(serializers.Serializer):
    at = MomentField(help_text="ISO 8601 date or date-time")
    label = serializers.CharField()
    court = serializers.CharField()


class UpcomingSerializer(serializers.Serializer):
    at = MomentField(help_text="ISO 8601 date-time")
    label = serializers.CharField()
    place = serializers.CharField()
    court = serializers.CharField()


class StatusSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=STATUS_KINDS)
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    court = serializers.CharField()
    case_number = serializers.CharField(allow_blank=True)
    next_step = serializers.CharField(allow_blank=True)
    due_at = MomentField(allow_null=True, help_text="ISO 8601 date or date-time, or null")
    items = serializers.ListField(child=serializers.CharField(), help_text="What to bring, if anything")
    milestones = MilestoneSerializer(many=True)
    upcoming = UpcomingSerializer(many=True)
    contact = serializers.CharField(allow_blank=True)


class JSONOnly(DefaultContentNegotiation):
    """JSON whatever the client accepts, without parsing its Accept header at each request (DRF's "custom
    content negotiation" example): the answer has one form, and a crowd at a window asks it."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@method_decorator(never_cache, name="dispatch")
class PublicStatusView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]  # no browsable page to negotiate: a kept answer is served as it is
    content_negotiation_class = JSONOnly

    @extend_schema(
        request=StatusRequestSerializer,
        responses={200: StatusSerializer, **error_responses(400, 404, 429, 503)},
        tags=["public"],
        summary="Procedural status of a filing, case, mediation or confirmation",
    )
    def post(self, request):
        number, code = _field(request.data, "number"), _field(request.data, "code")
        if number is None or code is None:
            # One answer whichever part is missing or malformed: no hint of which part was wrong.
            message = _("Enter the number and the query code from your receipt.")
            return Response(
                error_body("invalid", message, {"number": [message], "code": [message]}), status=400
            )
        lookup = status_lookup(number=number, code=code, address=client_address(request))
        if lookup.result == Result.FOUND:
            # The answer as it was kept (cases.status.status_json, what StatusSerializer documents): a
            # crowd at a window asks the same numbers again, and is answered without a serializer.
            return HttpResponse(lookup.answer, content_type="application/json")
        if lookup.result == Result.REFUSED:
            return Response(error_body("not_found", refusal_message(lookup.result)), status=404)
        if lookup.result == Result.UNAVAILABLE:
            return Response(error_body("unavailable", refusal_message(lookup.result)), status=503)
        seconds = (
            settings.STATUS_LOOKUP_LOCK_SECONDS
            if lookup.result == Result.LOCKED
            else (settings.STATUS_LOOKUP_WINDOW_SECONDS)
        )
        return Response(
            error_body(str(lookup.result), refusal_message(lookup.result)),
            status=429,
            headers={"Retry-After": str(seconds)},
        )
