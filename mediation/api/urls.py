from rest_framework.routers import SimpleRouter

from courts.documents.api import document_urls
from mediation.api import confirmations, mediations, sessions

router = SimpleRouter()
router.register("mediations", mediations.MediationViewSet, basename="mediation")
router.register("mediation-sessions", sessions.SessionViewSet, basename="mediation-session")
router.register("confirmations", confirmations.ConfirmationViewSet, basename="confirmation")
urlpatterns = [
    # Printed documents: `documents/<kind>.pdf` with no slash after it (courts.documents.api.document_urls).
    *document_urls("mediations", mediations.MediationViewSet, "mediation"),
    *document_urls("confirmations", confirmations.ConfirmationViewSet, "confirmation"),
    *router.urls,
]
