"""Who may do what to a filing or a case. Visibility (404 for other courts) is cases.selectors' job; these
answer "may this user, who can see the record, take this action?" for services, pages and the API alike."""

from cases.models import FILING_TRANSITIONS, Filing
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


# The roles whose work needs a party's real ID number and phone (identity checks, service of documents).
IDENTITY_ROLES = (Role.WINDOW_CLERK, Role.FILING_CLERK, Role.JUDGE, Role.OFFICER)


def may_see_identity(user) -> bool:
    """Called on a record the user can already see; zone viewers and administrators see masked data only."""
    return acting_court(user) is not None and any(user.has_role(role) for role in IDENTITY_ROLES)


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
