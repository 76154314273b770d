"""Refuse a request body that is too large before reading it (issue 11): an upload far over the limit used
to be read whole before it was refused, and a JSON body of any size was parsed. The sizes come from the
request's Content-Length, so nothing is read; a body sent without one is bounded by Django's own
DATA_UPLOAD_MAX_MEMORY_SIZE as it is read."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from courts.error_shape import error_body

# Room for the form fields and multipart boundaries around the scan itself.
MULTIPART_OVERHEAD = 1024 * 1024


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.content_type.startswith("multipart/")
        limit = settings.UPLOAD_MAX_BYTES + MULTIPART_OVERHEAD if multipart else settings.BODY_MAX_BYTES
        if length > limit:
            message = _("The request body is too large (at most %(mb)d MB).") % {"mb": max(1, limit // 2**20)}
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("too_large", message), status=413)
            return render(request, "413.html", {"message": message}, status=413)
        return self.get_response(request)


class NulByteMiddleware:
    """Refuse a NUL byte in a query parameter or a form field (issue 11, found by the fuzzing): PostgreSQL
    refuses one in any text, so a filter or a choice looked up by such a value failed with a 500. Django's
    and DRF's text fields refuse it themselves; this covers every lookup by a value at once. A multipart
    body is left to the view (reading it here would read an upload before its size is checked); JSON is
    parsed by DRF, whose text and code fields refuse it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _field_with_nul(request.GET)
        if (
            field is None
            and request.method == "POST"
            and request.content_type == "application/x-www-form-urlencoded"
        ):
            field = _field_with_nul(request.POST)
        if field is None:
            return self.get_response(request)
        message = _("“%(field)s” contains a NUL character, which no value may hold.") % {"field": field}
        if request.path.startswith("/api/"):
            return JsonResponse(error_body("invalid", message, {field: [message]}), status=400)
        return render(request, "400.html", {"message": message}, status=400)


def _field_with_nul(params) -> str | None:
    for name, values in params.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "\\0")
    return None
