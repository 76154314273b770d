"""Pages for tribunal judges: my mediations, invitations waiting for my answer, a mediation's page with
its actions. Every page starts from mediation.selectors and calls the same services as the API."""

from courts.home_panels import Panel
from courts.models import Role
from courts.selectors import acting_court
from mediation import selectors


def inbox_panel(request) -> Panel | None:
    """The home page's mediation part (registered in MediationConfig.ready): for judges, the invitations
    waiting for their tribunal's answer and the mediations they run; for filing clerks, applications for
    confirmation to register."""
    user = request.user
    if acting_court(user) is None:
        return None
    judge = user.has_role(Role.JUDGE)
    clerk = user.has_role(Role.FILING_CLERK)
    if not (judge or clerk):
        return None
    invitations = list(selectors.invitations_waiting_for(user)[:50]) if judge else []
    running = (
        list(
            selectors.mediation_list(
                user,
                selectors.MediationFilters(
                    state=["proposed", "declined", "accepted", "in_session"], mine=True
                ),
            )[:20]
        )
        if judge
        else []
    )
    confirmations = list(selectors.confirmations_to_handle(user)[:50])
    if not (invitations or running or confirmations or judge):
        return None
    return Panel(
        "mediation/_inbox.html",
        {"invitations": invitations, "running": running, "confirmations": confirmations, "judge": judge},
        order=5,
    )


# Placeholders until the pages land: each answers 404.
def _not_yet(request, *args, **kwargs):
    from django.http import Http404

    raise Http404


mediation_list = mediation_new = invitation_list = mediation_detail = party_reveal = mediation_action = (
    _not_yet
)
