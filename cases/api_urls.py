from rest_framework.routers import SimpleRouter

from cases import api

router = SimpleRouter()
router.register("filings", api.FilingViewSet, basename="filing")
router.register("cases", api.CaseViewSet, basename="case")
router.register("parties", api.PartyViewSet, basename="party")
urlpatterns = router.urls
