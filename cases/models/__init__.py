"""Data of the cases floor: case records and cross-region filings (filings.py), and the requests one court
sends another, service and preservation (requests.py)."""

from cases.models.filings import (
    FILING_OPEN,
    FILING_TRANSITIONS,
    FILING_UNDER_REVIEW,
    Case,
    CaseType,
    Filing,
    FilingAttachment,
    FilingCategory,
    Party,
    PartyDetails,
    StatusLookup,
)
from cases.models.requests import (
    PRESERVATION_TRANSITIONS,
    REQUEST_CLOCK_RUNNING,
    REQUEST_OPEN,
    SERVICE_TRANSITIONS,
    PreservationMeasure,
    PreservationRequest,
    RequestAttachment,
    ServiceAttempt,
    ServiceDocument,
    ServiceMethod,
    ServiceRequest,
)

__all__ = [
    "PRESERVATION_TRANSITIONS",
    "REQUEST_CLOCK_RUNNING",
    "REQUEST_OPEN",
    "SERVICE_TRANSITIONS",
    "PreservationMeasure",
    "PreservationRequest",
    "RequestAttachment",
    "ServiceAttempt",
    "ServiceDocument",
    "ServiceMethod",
    "ServiceRequest",
    "FILING_OPEN",
    "FILING_TRANSITIONS",
    "FILING_UNDER_REVIEW",
    "Case",
    "CaseType",
    "Filing",
    "FilingAttachment",
    "FilingCategory",
    "Party",
    "PartyDetails",
    "StatusLookup",
]
