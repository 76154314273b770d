"""The WSGI module bench.status_lookup serves under gunicorn, so that the lookup is measured against anchors
served by the same processes at the same moment:

- `/bench-anchor/`: a trivial JSON body answered by this wrapper itself (no Django, no middleware, no
  database): what the same workers can do at most;
- `/bench-anchor/django/`: a trivial Django view returning a JsonResponse, through the project's whole
  middleware stack (settings.MIDDLEWARE), resolved against this module's own urlconf;
- `/bench-anchor/indexed/?id=N`: the same with one indexed lookup through the ORM (a filing's state by its
  primary key), the anchor of bench.mediation and of STACK-NOTES' "one indexed lookup";
- every other path: the project's `config.wsgi.application`, unchanged (the status lookup among them).

    gunicorn bench.anchor_wsgi:application --workers 2 --worker-class sync --bind 127.0.0.1:18231
"""

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import path

from config.wsgi import application as django_application

ANCHOR_PATH = "/bench-anchor/"
DJANGO_ANCHOR_PATH = "/bench-anchor/django/"
_BODY = b'{"ok": true}'
_HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(_BODY))),
    ("Cache-Control", "no-store"),
]


INDEXED_ANCHOR_PATH = "/bench-anchor/indexed/"


def trivial(request):
    return JsonResponse({"ok": True})


def indexed(request):
    from cases.models import Filing

    try:
        pk = int(request.GET.get("id", ""))
    except ValueError:
        return HttpResponseBadRequest()
    return JsonResponse({"state": Filing.objects.filter(pk=pk).values_list("state", flat=True).first()})


urlpatterns = [
    path(DJANGO_ANCHOR_PATH.lstrip("/"), trivial),
    path(INDEXED_ANCHOR_PATH.lstrip("/"), indexed),
]


class _AnchorRequest(WSGIRequest):
    # Django resolves a request against request.urlconf when it has one (BaseHandler._get_response): this
    # handler's requests see only the trivial view; the project's urlconf and settings are left alone.
    urlconf = __name__


class _AnchorHandler(WSGIHandler):
    request_class = _AnchorRequest


django_anchor = _AnchorHandler()


def application(environ, start_response):
    path_info = environ.get("PATH_INFO")
    if path_info == ANCHOR_PATH:
        start_response("200 OK", list(_HEADERS))
        return [_BODY]
    if path_info in (DJANGO_ANCHOR_PATH, INDEXED_ANCHOR_PATH):
        return django_anchor(environ, start_response)
    return django_application(environ, start_response)
