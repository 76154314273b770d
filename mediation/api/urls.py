from rest_framework.routers import SimpleRouter

from mediation.api import confirmations, mediations, sessions

router = SimpleRouter()
router.register("mediations", mediations.MediationViewSet, basename="mediation")
router.register("mediation-sessions", sessions.SessionViewSet, basename="mediation-session")
router.register("confirmations", confirmations.ConfirmationViewSet, basename="confirmation")
urlpatterns = router.urls
