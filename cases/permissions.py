"""Who may do what to a filing or a case. Visibility (404 for other courts) is cases.selectors' job; these
answer "may this user, who can see the record, take this action?" for services, pages and the API alike."""

from cases.models import FILING_OPEN, FILING_TRANSITIONS, Filing, ServiceRequest
from courts.models import Role
from courts.selectors import acting_court


def _acts_for(user, court_id: int, role: str) -> bool:
    court = acting_court(user)
    return court is not None and court.pk == court_id and user.has_role(role)


def may_file(user) -> bool:
    return acting_court(user) is not None and user.has_role(Role.WINDOW_CLERK)


def may_decide(user, filing: Filing) -> bool:
    """Only the court with jurisdiction decides, through its filing clerks."""
    return _acts_for(user, filing.jurisdiction_court_id, Role.FILING_CLERK)


def may_act_for_litigant(user, filing: Filing) -> bool:
    """Resubmitting, withdrawing and reprinting the query code happen at the window where it was filed."""
    return _acts_for(user, filing.collaborating_court_id, Role.WINDOW_CLERK)


def may_attach(user, filing: Filing) -> bool:
    return may_act_for_litigant(user, filing) or may_decide(user, filing)


def may_see_identity(user, party) -> bool:
    """Whether this user's work needs this party's real ID number and phone ("masked except to the staff who
    need them"). Called on a party the user can already see; everyone else sees the masked forms.

    - while a filing is open: the window that took it, and the filing clerks who decide it;
    - on a case: its own court's filing clerks, judges and officers;
    - on a request to another court: that court's officers, for the recipient or respondent they act on.
    """
    court = acting_court(user)
    if court is None:
        return False
    filing = party.filing
    window_or_decider = filing is not None and (
        _acts_for(user, filing.collaborating_court_id, Role.WINDOW_CLERK) or may_decide(user, filing)
    )
    if window_or_decider and filing.state in FILING_OPEN:
        return True
    if party.case_id is not None:
        case_court = party.case.court_id
        if _acts_for_any(user, case_court, (Role.FILING_CLERK, Role.JUDGE, Role.OFFICER)):
            return True
        if user.has_role(Role.OFFICER) and _is_subject_of_request_to(party, court):
            return True
    return False


def _is_subject_of_request_to(party, court) -> bool:
    from cases.models import PreservationRequest, ServiceRequest

    # Only while the entrusted court is working on it: afterwards the officers have no need of it.
    working = ("received", "accepted")
    return (
        ServiceRequest.objects.filter(recipient=party, entrusted_court=court, state__in=working).exists()
        or PreservationRequest.objects.filter(
            respondent=party, entrusted_court=court, state__in=working
        ).exists()
    )


ACTIONS = {
    # action name: (target state, permission)
    "register": (Filing.State.REGISTERED, may_decide),
    "request_correction": (Filing.State.CORRECTION_REQUESTED, may_decide),
    "divert_to_mediation": (Filing.State.DIVERTED_TO_MEDIATION, may_decide),
    "refuse": (Filing.State.REFUSED, may_decide),
    "resubmit": (Filing.State.RESUBMITTED, may_act_for_litigant),
    "withdraw": (Filing.State.WITHDRAWN, may_act_for_litigant),
}


def allowed_actions(user, filing: Filing) -> list[str]:
    """The actions this user may take on this filing now: what the pages show as buttons."""
    next_states = FILING_TRANSITIONS.get(filing.state, ())
    actions = [
        name
        for name, (target, permitted) in ACTIONS.items()
        if target in next_states and permitted(user, filing)
    ]
    if "divert_to_mediation" in actions and not filing.pre_mediation_consent:
        actions.remove("divert_to_mediation")
    return actions


# --- Requests between courts (service, preservation) -------------------------------------------------------

# Staff of the court handling a case who may ask another court for service or preservation.
REQUESTING_ROLES = (Role.WINDOW_CLERK, Role.FILING_CLERK, Role.JUDGE)


def _acts_for_any(user, court_id: int, roles) -> bool:
    court = acting_court(user)
    return court is not None and court.pk == court_id and any(user.has_role(role) for role in roles)


def may_send_requests(user) -> bool:
    """Whether this user may send any request at all (before a case is chosen)."""
    return acting_court(user) is not None and any(user.has_role(role) for role in REQUESTING_ROLES)


def may_request(user, case) -> bool:
    """The court handling the case asks; its clerks and judges send, cancel and acknowledge."""
    return _acts_for_any(user, case.court_id, REQUESTING_ROLES)


def may_manage_sent(user, request) -> bool:
    return _acts_for_any(user, request.requesting_court_id, REQUESTING_ROLES)


def may_handle(user, request) -> bool:
    """The entrusted court's officers accept, attempt, report and return."""
    return _acts_for(user, request.entrusted_court_id, Role.OFFICER)


def may_attach_to_request(user, request) -> bool:
    return may_manage_sent(user, request) or may_handle(user, request)


REQUEST_ACTIONS = {
    # action name: (target state or None for a non-transition action, permission)
    "accept": ("accepted", may_handle),
    "report_attempt": (None, may_handle),
    "report": (None, may_handle),
    "return": ("returned", may_handle),
    "cancel": ("cancelled", may_manage_sent),
    "acknowledge": ("closed", may_manage_sent),
}


def allowed_request_actions(user, request, transitions) -> list[str]:
    next_states = transitions.get(request.state, ())
    actions = []
    for name, (target, permitted) in REQUEST_ACTIONS.items():
        if not permitted(user, request):
            continue
        if name == "report_attempt" and not isinstance(request, ServiceRequest):
            continue  # attempts at service only: a preservation request reports its measures
        if target is None:
            if request.state == "accepted":
                actions.append(name)
        elif target in next_states:
            actions.append(name)
    return actions


def may_see_accounts(user, request) -> bool:
    """Full account and certificate numbers of a preservation: for the officers carrying it out and the staff
    who asked for it; anyone else who can see the request sees them masked."""
    return may_handle(user, request) or may_manage_sent(user, request)
