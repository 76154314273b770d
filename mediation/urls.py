from django.urls import path

from mediation.views import confirmations, mediations, sessions

urlpatterns = [
    path("mediations/", mediations.mediation_list, name="mediation-list"),
    path("mediations/new/", mediations.mediation_new, name="mediation-new"),
    path("mediations/invitations/", mediations.invitation_list, name="invitation-list"),
    path("mediations/calendar/", sessions.my_week, name="mediation-calendar"),
    path("mediations/calendar/<slug:tribunal>/", sessions.tribunal_week, name="tribunal-week"),
    path("mediations/feed/", sessions.feed_link, name="mediator-feed-link"),
    path("mediations/feed/<str:token>.ics", sessions.mediator_feed, name="mediator-feed"),
    path("mediations/<int:mediation_id>/", mediations.mediation_detail, name="mediation-detail"),
    path(
        "mediations/<int:mediation_id>/parties/<int:party_id>/reveal/",
        mediations.party_reveal,
        name="mediation-party-reveal",
    ),
    path(
        "mediations/<int:mediation_id>/<slug:action>/", mediations.mediation_action, name="mediation-action"
    ),
    path(
        "mediation-sessions/<int:session_id>/<slug:action>/", sessions.session_action, name="session-action"
    ),
    path("confirmations/", confirmations.confirmation_list, name="confirmation-list"),
    path(
        "confirmations/<int:confirmation_id>/", confirmations.confirmation_detail, name="confirmation-detail"
    ),
    path(
        "confirmations/<int:confirmation_id>/<slug:action>/",
        confirmations.confirmation_action,
        name="confirmation-action",
    ),
]
