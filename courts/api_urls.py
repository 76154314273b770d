from django.urls import path

from courts import api
from courts.documents.api import VerifyView

urlpatterns = [
    path("auth/token/", api.ObtainTokenView.as_view(), name="api-token"),
    path("courts/", api.CourtListView.as_view(), name="api-courts"),
    path("calendar/deadline/", api.DeadlineView.as_view(), name="api-deadline"),
    path("public/verify/<str:code>/", VerifyView.as_view(), name="api-verify"),
]
