"""Who may do what in a joint mediation or a judicial confirmation. Visibility (404 for a court with no part
in it) is mediation.selectors' job; these answer "may this user, who can see the record, do this?" for the
services, pages and API alike (DOMAIN.md; issue: "Who may do what").

- Judges of the lead tribunal lead: invite, convert a failed mediation into a filing.
- Judges of the lead tribunal and of every tribunal that accepted run it: sessions, agreement, failure,
  extension, withdrawal. Judges of an invited tribunal answer its invitation.
- The lead court's and the invited courts' clerks see it.
- Only the court applied to registers a confirmation (its filing clerks or judges) and only its judges
  decide it.
"""

from courts.models import Role
from courts.selectors import acting_court
from mediation.models import Confirmation, Invitation, Mediation


def _judge_of(user, tribunal_id: int | None) -> bool:
    return (
        tribunal_id is not None
        and acting_court(user) is not None
        and user.tribunal_id == tribunal_id
        and user.has_role(Role.JUDGE)
    )


def _acts_for(user, court_id: int, roles) -> bool:
    court = acting_court(user)
    return court is not None and court.pk == court_id and any(user.has_role(role) for role in roles)


def running_tribunal_ids(mediation: Mediation) -> set[int]:
    """The lead tribunal and every tribunal whose invitation was accepted. Reads `mediation.invitations`,
    prefetched by the selectors for the pages that ask many times."""
    accepted = {
        invitation.tribunal_id
        for invitation in mediation.invitations.all()
        if invitation.state == Invitation.State.ACCEPTED
    }
    return {mediation.lead_tribunal_id, *accepted}


def may_open(user, tribunal) -> bool:
    """A judge of a tribunal opens a mediation that this tribunal leads."""
    return tribunal is not None and _judge_of(user, tribunal.pk)


def may_open_any(user) -> bool:
    return _judge_of(user, user.tribunal_id) if getattr(user, "is_authenticated", False) else False


def may_lead(user, mediation: Mediation) -> bool:
    return _judge_of(user, mediation.lead_tribunal_id)


def may_run(user, mediation: Mediation) -> bool:
    return (
        acting_court(user) is not None
        and _judge_of(user, user.tribunal_id)
        and (user.tribunal_id in running_tribunal_ids(mediation))
    )


def may_answer(user, invitation: Invitation) -> bool:
    return _judge_of(user, invitation.tribunal_id)


def may_see_identity(user, mediation: Mediation) -> bool:
    """Unmasked ID numbers and phones of a mediation's parties: for its named mediators while it is open
    (they call the parties to sessions); each view is logged by the caller."""
    from mediation.models import MEDIATION_OPEN

    return (
        mediation.state in MEDIATION_OPEN and may_run(user, mediation) and user.pk in mediator_ids(mediation)
    )


# Staff who record a joint application for confirmation: the mediators' tribunals (parties usually apply
# right after signing), and the windows and filing clerks of the court applied to.
APPLYING_ROLES = (Role.WINDOW_CLERK, Role.FILING_CLERK, Role.JUDGE)


def may_apply(user, mediation: Mediation, court) -> bool:
    return may_run(user, mediation) or (court is not None and _acts_for(user, court.pk, APPLYING_ROLES))


def may_register(user, confirmation: Confirmation) -> bool:
    """Register, ask for supplements, refuse to accept before registration, record a withdrawal."""
    return _acts_for(user, confirmation.court_id, (Role.FILING_CLERK, Role.JUDGE))


def mediator_ids(mediation: Mediation) -> set[int]:
    """The judges named as its mediators: the lead's and each accepting tribunal's."""
    named = {mediation.lead_mediator_id}
    named |= {
        invitation.mediator_id
        for invitation in mediation.invitations.all()
        if invitation.state == Invitation.State.ACCEPTED
    }
    return {pk for pk in named if pk}


def may_decide(user, confirmation: Confirmation) -> bool:
    """The court's judges rule, except the judges who mediated the agreement (they do not review their own
    work)."""
    return _acts_for(user, confirmation.court_id, (Role.JUDGE,)) and user.pk not in mediator_ids(
        confirmation.mediation
    )


def may_start_enforcement(user, confirmation: Confirmation) -> bool:
    return _acts_for(user, confirmation.court_id, (Role.WINDOW_CLERK, Role.FILING_CLERK, Role.JUDGE))


def may_act_for_parties(user, mediation: Mediation) -> bool:
    """Issuing the parties a new query code, or unlocking their status lookup, after checking who they are:
    the lead tribunal's judges, or a window clerk of the lead court."""
    return may_lead(user, mediation) or _acts_for(user, mediation.lead_court_id, (Role.WINDOW_CLERK,))


MEDIATION_ACTIONS = {
    # action: (target state or None, permission)
    "invite": (None, may_lead),
    "cancel_invitation": (None, may_lead),
    "schedule": ("in_session", may_run),
    "agree": ("agreed", may_run),
    "fail": ("failed", may_run),
    "extend": (None, may_run),
    "withdraw": ("withdrawn", may_run),
    "convert_to_filing": (None, may_lead),
}


def allowed_mediation_actions(user, mediation: Mediation) -> list[str]:
    """What this user may do to this mediation now: what the pages show as buttons."""
    from mediation.models import MEDIATION_RUNNING, MEDIATION_TRANSITIONS

    state = mediation.state
    next_states = MEDIATION_TRANSITIONS.get(state, ())
    actions = []
    for name, (target, permitted) in MEDIATION_ACTIONS.items():
        if not permitted(user, mediation):
            continue
        if name == "invite" and state not in ("proposed", "declined", "accepted", "in_session"):
            continue
        if name == "cancel_invitation" and not any(
            invitation.state in ("sent", "received") for invitation in mediation.invitations.all()
        ):
            continue
        if name == "schedule" and state not in MEDIATION_RUNNING:
            continue
        if name == "extend" and state not in MEDIATION_RUNNING:
            continue
        if name == "convert_to_filing" and (
            state not in ("failed", "expired") or mediation.resulting_filing_id is not None
        ):
            continue
        if name == "agree" and state == "agreed":
            actions.append("replace_agreement")
            continue
        if target is not None and name != "schedule" and target not in next_states:
            continue
        actions.append(name)
    return actions


CONFIRMATION_ACTIONS = {
    "register": ("registered", may_register),
    "request_supplement": ("supplement_requested", may_register),
    "confirm": ("confirmed", may_decide),
    "reject": ("rejected", may_decide),
    "not_accept": ("not_accepted", None),
    "withdraw": ("withdrawn", None),
    "start_enforcement": (None, may_start_enforcement),
}


def may_not_accept(user, confirmation: Confirmation) -> bool:
    """Not accepting is a filing decision, before registration (clerks or judges)."""
    return may_register(user, confirmation)


def may_record_withdrawal(user, confirmation: Confirmation) -> bool:
    """Before registration the clerks record it; once registered the court allows it by ruling (准许撤回,
    Interp 357): its judges."""
    if confirmation.state == Confirmation.State.REGISTERED:
        return may_decide(user, confirmation)
    return may_register(user, confirmation)


def allowed_confirmation_actions(user, confirmation: Confirmation) -> list[str]:
    from mediation.models import CONFIRMATION_TRANSITIONS

    next_states = CONFIRMATION_TRANSITIONS.get(confirmation.state, ())
    actions = []
    for name, (target, permitted) in CONFIRMATION_ACTIONS.items():
        permitted = permitted or (may_record_withdrawal if name == "withdraw" else may_not_accept)
        if not permitted(user, confirmation):
            continue
        if name == "start_enforcement":
            if confirmation.state == "confirmed" and confirmation.enforcement_filing_id is None:
                actions.append(name)
        elif target in next_states:
            actions.append(name)
    return actions
