from django.urls import path

from courts import api

urlpatterns = [
    path("auth/token/", api.ObtainTokenView.as_view(), name="api-token"),
    path("courts/", api.CourtListView.as_view(), name="api-courts"),
    path("calendar/deadline/", api.DeadlineView.as_view(), name="api-deadline"),
]
