from django.contrib.auth import views as auth_views
from django.urls import path

from courts import views
from courts.documents import views as documents

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification-open"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification-read"),
    path("notifications/read/", views.notifications_read_all, name="notifications-read-all"),
    path("calendar/", views.holiday_calendar, name="holiday-calendar"),
    path("calendar/<int:year>/", views.holiday_calendar, name="holiday-calendar-year"),
    path("verify/", documents.verify_page, name="verify"),
]
