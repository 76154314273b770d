from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api import filings, public, requests
from courts.documents.api import document_urls

router = SimpleRouter()
router.register("filings", filings.FilingViewSet, basename="filing")
router.register("cases", filings.CaseViewSet, basename="case")
router.register("parties", filings.PartyViewSet, basename="party")
router.register("service-requests", requests.ServiceRequestViewSet, basename="service-request")
router.register("preservation-requests", requests.PreservationRequestViewSet, basename="preservation-request")
urlpatterns = [
    path("public/status/", public.PublicStatusView.as_view(), name="api-public-status"),
    *router.urls,
]

# Printed documents: `documents/<kind>.pdf` with no slash after it (courts.documents.api.document_urls).
urlpatterns += [
    *document_urls("filings", filings.FilingViewSet, "filing"),
    *document_urls("service-requests", requests.ServiceRequestViewSet, "service-request"),
    *document_urls("preservation-requests", requests.PreservationRequestViewSet, "preservation-request"),
]
