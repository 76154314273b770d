from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from config import health
from courts.metrics import metrics_view

admin.site.site_header = _("YRD cross-court case tracker: administration")
admin.site.site_title = _("Case tracker administration")

# Redoc draws with styled-components, which puts empty <style> elements in the page and fills them through
# the CSSOM (which the policy allows), and its bundle puts perfect-scrollbar's stylesheet in a <style> as it
# loads: those two contents are allowed by hash, no 'unsafe-inline', no nonce. Its search runs in a worker it
# makes from a blob: URL (only a script the policy let run can make one). That is all the Redoc page allows
# beyond the policy (config/settings.py); a new drf-spectacular-sidecar may change the stylesheet's hash, and
# tests/test_csp.py says so.
REDOC_POLICY = {
    "style-src": [
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # an empty <style>
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # perfect-scrollbar's, in Redoc 2.5.4
    ],
    "worker-src": ["'self'", "blob:"],
}

api_patterns = [
    path("", include("courts.api_urls")),
    path("", include("cases.api.urls")),
    path("", include("mediation.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs' pages with no inline script or style (the Content-Security-Policy, config/settings.py): the
    # split view serves Swagger UI's start-up script at docs/?script, our templates take the <style> out.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path(
        "redoc/",
        csp_update(REDOC_POLICY)(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("", include("courts.urls")),
    path("", include("cases.urls")),
    path("", include("mediation.urls")),
]
# No URL serves the media folder, in any mode: scans are reached only through the views that check who may
# see them (cases.views.filings, cases.views.requests).

handler400 = "courts.error_shape.handler400"
handler404 = "courts.error_shape.handler404"
handler500 = "courts.error_shape.handler500"
