from django.urls import path, register_converter

from cases import public_views, request_views, views

register_converter(request_views.RequestKindConverter, "kind")

urlpatterns = [
    path("status/", public_views.status_page, name="status"),
    path("filings/", views.filing_list, name="filing-list"),
    path("filings/new/", views.filing_new, name="filing-new"),
    path("filings/<int:filing_id>/", views.filing_detail, name="filing-detail"),
    path("filings/<int:filing_id>/receipt/", views.filing_receipt, name="filing-receipt"),
    path("filings/<int:filing_id>/reissue-code/", views.filing_reissue_code, name="filing-reissue-code"),
    path("filings/<int:filing_id>/attachments/", views.filing_attach, name="filing-attach"),
    path("filings/<int:filing_id>/<slug:action>/", views.filing_action, name="filing-action"),
    path("parties/<int:party_id>/reveal/", views.party_reveal, name="party-reveal"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    # Requests between courts: asked from a case's page, handled on the request's own page.
    path(
        "cases/<int:case_id>/service-requests/new/",
        request_views.service_request_new,
        name="service-request-new",
    ),
    path(
        "cases/<int:case_id>/preservation-requests/new/",
        request_views.preservation_request_new,
        name="preservation-request-new",
    ),
    path("requests/", request_views.request_list, name="request-list"),
    path("requests/<kind:kind>/<int:request_id>/", request_views.request_detail, name="request-detail"),
    path(
        "requests/<kind:kind>/<int:request_id>/attachments/",
        request_views.request_attach,
        name="request-attach",
    ),
    path(
        "requests/<kind:kind>/<int:request_id>/attachments/<int:attachment_id>/",
        request_views.request_attachment_file,
        name="request-attachment",
    ),
    path(
        "requests/<kind:kind>/<int:request_id>/reveal/", request_views.request_reveal, name="request-reveal"
    ),
    path(
        "requests/<kind:kind>/<int:request_id>/<slug:action>/",
        request_views.request_action,
        name="request-action",
    ),
]
