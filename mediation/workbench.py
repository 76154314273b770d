"""The mediation floor's part of the home page's workbench (courts.workbench, registered in
MediationConfig.ready):

- a judge owes the answers to invitations waiting for the tribunal (3 working days), the first session of
  a mediation the tribunal runs once it is accepted, and the minutes of sessions held;
- the court applied to owes the registration (filing clerks, judges) and the ruling (judges, 30 days, CPL
  187) of applications for judicial confirmation;
- what came back: a mediation every invited tribunal declined (invite another or end it), an agreement the
  parties may still take to confirmation, and a confirmation decided.
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from courts.models import Role
from courts.selectors import acting_court
from courts.workbench import MOST, Work, WorkItem
from mediation import permissions, selectors
from mediation.models import Confirmation, Mediation, MediationSession
from mediation.services.confirmations import application_deadline


def _mediation(mediation: Mediation, what: str, due=None, overdue=False) -> WorkItem:
    return WorkItem(
        kind=_("joint mediation"),
        reference=mediation.number,
        url=reverse("mediation-detail", args=[mediation.pk]),
        what=what,
        due_at=due,
        overdue=overdue,
        detail=mediation.cause,
        state=str(mediation.get_state_display()),
    )


def mediation_work(request) -> Work | None:
    user = request.user
    if acting_court(user) is None:
        return None
    judge, clerk = user.has_role(Role.JUDGE), user.has_role(Role.FILING_CLERK)
    if not (judge or clerk):
        return None
    work = Work()
    if judge and user.tribunal_id:
        if permissions.may_open_any(user):
            work.starts.append((_("Open a mediation"), reverse("mediation-new"), "open-mediation"))
        for invitation in selectors.invitations_waiting_for(user)[:MOST]:
            work.owed.append(
                WorkItem(
                    kind=_("invitation to mediate"),
                    reference=invitation.mediation.number,
                    url=reverse("mediation-detail", args=[invitation.mediation_id]),
                    what=_("answer it: accept and name the mediator, or decline"),
                    due_at=invitation.due_at,
                    overdue=invitation.overdue_at is not None,
                    court=invitation.mediation.lead_court.short_name,
                    detail=invitation.mediation.cause,
                    state=str(invitation.get_state_display()),
                )
            )
        run = selectors.mediations_run_by(user)
        no_session = ~Exists(MediationSession.objects.filter(mediation=OuterRef("pk")))
        for mediation in run.filter(no_session, state=Mediation.State.ACCEPTED).order_by("expires_on")[:MOST]:
            work.owed.append(_mediation(mediation, _("schedule the first session"), mediation.expires_on))
        for session in selectors.sessions_to_minute(user)[:MOST]:
            item = _mediation(session.mediation, _("record the minutes and who came"), session.ends_at)
            work.owed.append(item)
        for mediation in run.filter(lead_tribunal_id=user.tribunal_id, state=Mediation.State.DECLINED)[:MOST]:
            work.back.append(
                _mediation(mediation, _("every invited tribunal declined: invite another or end it"))
            )
        no_application = ~Exists(Confirmation.objects.filter(mediation=OuterRef("pk")))
        agreed = run.filter(no_application, state=Mediation.State.AGREED).prefetch_related("agreements")
        for mediation in agreed.order_by("-ended_at")[:MOST]:
            in_force = next((a for a in mediation.agreements.all() if a.state == "in_force"), None)
            due = application_deadline(in_force) if in_force else None
            work.back.append(
                _mediation(
                    mediation, _("agreed: the parties may apply together for judicial confirmation"), due
                )
            )
    for confirmation in selectors.confirmations_to_handle(user)[:MOST]:
        registered = confirmation.state == Confirmation.State.REGISTERED
        if registered and not permissions.may_decide(user, confirmation):
            continue
        if not registered and not permissions.may_register(user, confirmation):
            continue
        work.owed.append(
            WorkItem(
                kind=_("judicial confirmation"),
                reference=confirmation.case.number if confirmation.case_id else confirmation.mediation.number,
                url=reverse("confirmation-detail", args=[confirmation.pk]),
                what=_("rule on it") if registered else _("register it, or ask for what is missing"),
                due_at=confirmation.decision_due_at,
                overdue=confirmation.overdue,
                detail=confirmation.mediation.cause,
                state=str(confirmation.get_state_display()),
            )
        )
    return work
