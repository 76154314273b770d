from rest_framework.routers import SimpleRouter

from cases import api, request_api

router = SimpleRouter()
router.register("filings", api.FilingViewSet, basename="filing")
router.register("cases", api.CaseViewSet, basename="case")
router.register("parties", api.PartyViewSet, basename="party")
router.register("service-requests", request_api.ServiceRequestViewSet, basename="service-request")
router.register(
    "preservation-requests", request_api.PreservationRequestViewSet, basename="preservation-request"
)
urlpatterns = router.urls
