from django.urls import path

from cases import public_views, views

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
]
