"""One shape for every API error: {"code", "message", "fields"} (STYLE.md, "The API").

Clients of the courts' own systems code against this shape, so every 4xx, DRF's own and ours, goes through
`exception_handler`, and the 404/500 handlers answer API paths in the same shape. It lives on the ground
floor, beside the refusals it maps (courts.errors), so every app's API documents it from here; config wires
the handlers in (settings.REST_FRAMEWORK, config/urls.py).
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from courts.errors import ActionForbidden, TransitionNotAllowed


class ErrorSerializer(serializers.Serializer):
    """Documents the error shape in the OpenAPI schema."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# The error responses an endpoint documents in the schema, by status.
_ERROR_DESCRIPTIONS = {
    400: gettext_lazy("Invalid input, with the fields named"),
    401: gettext_lazy("Not authenticated"),
    403: gettext_lazy("Your role or court may not take this action"),
    404: gettext_lazy("No such record, or another court's"),
    409: gettext_lazy("Not allowed in the record's current state; the allowed next states are named"),
    413: gettext_lazy("The request body is over the size limit"),
    415: gettext_lazy("Not a content type this operation takes"),
    429: gettext_lazy("Too many attempts; try again later"),
    503: gettext_lazy("A service this needs does not answer just now; try again later"),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`extend_schema(responses={200: ..., **error_responses(400, 404)})`."""
    return {code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code]) for code in codes}


def list_error_responses() -> dict[int, OpenApiResponse]:
    """A paged list's errors: a filter it cannot read (400), and a page past the last or not a page number
    (404, as DRF's paging answers `?page=0`)."""
    return {
        **error_responses(400, 401),
        404: OpenApiResponse(ErrorSerializer, description=gettext_lazy("No such page")),
    }


class BusinessRuleError(exceptions.APIException):
    """A request that is well-formed but not allowed now, e.g. an illegal state transition (409)."""

    status_code = 409
    default_code = "conflict"


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _flatten(item)]
    return [str(detail)]


def _field_errors(detail) -> dict:
    """Map DRF's nested detail to {"field": [messages]}, naming nested fields as `parties.0.id_number`."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, nested in value.items():
                # An error about a nested object as a whole names the object itself ("parties"), not
                # "parties.non_field_errors".
                name = (
                    prefix
                    if key == "non_field_errors" and prefix
                    else (f"{prefix}.{key}" if prefix else str(key))
                )
                walk(name, nested)
        elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
            for index, nested in enumerate(value):
                if nested:
                    walk(f"{prefix}.{index}" if prefix else str(index), nested)
        else:
            fields.setdefault(prefix or "non_field_errors", []).extend(_flatten(value))

    walk("", detail)
    return fields


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, TransitionNotAllowed):
        body = error_body("invalid_transition", str(exc), {"allowed_transitions": list(exc.allowed)})
        return Response(body, status=409)
    if isinstance(exc, ActionForbidden):
        return Response(error_body("permission_denied", str(exc)), status=403)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: let Django log it and answer 500

    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(
            exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        )
        first_field, first_messages = next(iter(fields.items()))
        message = _("Invalid input: %(field)s: %(message)s") % {
            "field": first_field,
            "message": first_messages[0],
        }
        response.data = error_body("invalid", message, fields)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
        detail = exc.detail
        extra_fields = {}
        if isinstance(detail, dict):
            extra_fields = {k: _flatten(v) for k, v in detail.items() if k != "message"}
            detail = detail.get("message", next(iter(_flatten(detail)), ""))
        response.data = error_body(code, detail, extra_fields)
    return response


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def handler404(request, exception=None):
    if _wants_json(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if _wants_json(request):
        return JsonResponse(error_body("server_error", _("A server error occurred.")), status=500)
    from django.views.defaults import server_error

    return server_error(request)


def handler400(request, exception=None):
    """What Django itself refuses before a view runs (a body over its size limits, too many fields or
    files, a malformed request): the error shape on API paths, not Django's plain page."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if _wants_json(request):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(error_body("too_large", _("The request body is too large.")), status=413)
        if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
            return JsonResponse(
                error_body("invalid", _("Too many fields or files in one request.")), status=400
            )
        return JsonResponse(error_body("invalid", _("The request could not be read.")), status=400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def document_unsupported_media_type(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation that takes a body answers 415, in the error
    shape, to a body of a content type it does not take (or of none: DRF refuses a body it cannot name), so
    each documents it, as the uploads already did by hand (the fuzzing found the undocumented 415)."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            errors = [answer for code, answer in responses.items() if code[0] == "4" and "content" in answer]
            if errors and "415" not in responses:
                responses["415"] = {"content": errors[0]["content"], "description": _ERROR_DESCRIPTIONS[415]}
    return result
