from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config import health

admin.site.site_header = _("YRD cross-court case tracker: administration")
admin.site.site_title = _("Case tracker administration")

api_patterns = [
    path("", include("courts.api_urls")),
    path("", include("cases.api.urls")),
    path("", include("mediation.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
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
