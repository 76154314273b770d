from rest_framework.routers import SimpleRouter

from cases.api import filings, requests

router = SimpleRouter()
router.register("filings", filings.FilingViewSet, basename="filing")
router.register("cases", filings.CaseViewSet, basename="case")
router.register("parties", filings.PartyViewSet, basename="party")
router.register("service-requests", requests.ServiceRequestViewSet, basename="service-request")
router.register("preservation-requests", requests.PreservationRequestViewSet, basename="preservation-request")
urlpatterns = router.urls
