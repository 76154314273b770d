"""Data of the mediation floor, one module per flow: mediations.py (the mediation, its parties, invitations,
extensions and agreements), sessions.py (sessions and their mediators, calendar feeds), confirmations.py
(judicial confirmation of an agreement)."""

from mediation.models.confirmations import (
    CONFIRMATION_DECIDED,
    CONFIRMATION_OPEN,
    CONFIRMATION_TRANSITIONS,
    Confirmation,
)
from mediation.models.mediations import (
    AGREEMENT_TRANSITIONS,
    INVITATION_OPEN,
    INVITATION_TRANSITIONS,
    MEDIATION_OPEN,
    MEDIATION_RUNNING,
    MEDIATION_TRANSITIONS,
    Agreement,
    AgreementPayment,
    AgreementSignature,
    Extension,
    Invitation,
    Mediation,
    MediationParty,
)
from mediation.models.sessions import (
    SESSION_TRANSITIONS,
    CalendarFeed,
    MediationSession,
    SessionMediator,
)

__all__ = [
    "AGREEMENT_TRANSITIONS",
    "CONFIRMATION_DECIDED",
    "CONFIRMATION_OPEN",
    "CONFIRMATION_TRANSITIONS",
    "INVITATION_OPEN",
    "INVITATION_TRANSITIONS",
    "MEDIATION_OPEN",
    "MEDIATION_RUNNING",
    "MEDIATION_TRANSITIONS",
    "SESSION_TRANSITIONS",
    "Agreement",
    "AgreementPayment",
    "AgreementSignature",
    "CalendarFeed",
    "Confirmation",
    "Extension",
    "Invitation",
    "Mediation",
    "MediationParty",
    "MediationSession",
    "SessionMediator",
]
