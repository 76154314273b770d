from django.urls import path, register_converter

from cases.views import filings, public, requests

register_converter(requests.RequestKindConverter, "kind")

urlpatterns = [
    path("status/", public.status_page, name="status"),
    path("kiosk/", public.kiosk, name="kiosk"),
    path("filings/", filings.filing_list, name="filing-list"),
    path("filings/new/", filings.filing_new, name="filing-new"),
    path("filings/<int:filing_id>/", filings.filing_detail, name="filing-detail"),
    path("filings/<int:filing_id>/receipt/", filings.filing_receipt, name="filing-receipt"),
    path("filings/<int:filing_id>/reissue-code/", filings.filing_reissue_code, name="filing-reissue-code"),
    path("filings/<int:filing_id>/lift-lock/", filings.filing_lift_lock, name="filing-lift-lock"),
    path("filings/<int:filing_id>/attachments/", filings.filing_attach, name="filing-attach"),
    path("filings/<int:filing_id>/<slug:action>/", filings.filing_action, name="filing-action"),
    path("parties/<int:party_id>/reveal/", filings.party_reveal, name="party-reveal"),
    path("cases/", filings.case_list, name="case-list"),
    path("cases/<int:case_id>/", filings.case_detail, name="case-detail"),
    # Requests between courts: asked from a case's page, handled on the request's own page.
    path(
        "cases/<int:case_id>/service-requests/new/",
        requests.service_request_new,
        name="service-request-new",
    ),
    path(
        "cases/<int:case_id>/preservation-requests/new/",
        requests.preservation_request_new,
        name="preservation-request-new",
    ),
    path("requests/", requests.request_list, name="request-list"),
    path("requests/<kind:kind>/<int:request_id>/", requests.request_detail, name="request-detail"),
    path(
        "requests/<kind:kind>/<int:request_id>/attachments/",
        requests.request_attach,
        name="request-attach",
    ),
    path(
        "requests/<kind:kind>/<int:request_id>/attachments/<int:attachment_id>/",
        requests.request_attachment_file,
        name="request-attachment",
    ),
    path("requests/<kind:kind>/<int:request_id>/reveal/", requests.request_reveal, name="request-reveal"),
    path(
        "requests/<kind:kind>/<int:request_id>/<slug:action>/",
        requests.request_action,
        name="request-action",
    ),
]
