"""What a court does when mediation work is delivered to it (registered in MediationConfig.ready). Each
handler changes nothing but the database (courts.delivery): a notice for the right people, and the state
moves that arriving work makes (an invitation received, the answers settling the mediation)."""

from django.utils.translation import gettext_lazy, gettext_noop

from cases.models import Filing
from cases.services.filings import DIVERTED
from courts.delivery import register_handler
from courts.legal_calendar import COURT_TZ
from courts.messages import Message, TribunalName
from courts.models import Delivery, Role, Tribunal, User
from courts.notifications import notify_court, notify_users
from courts.selectors import staff_of_tribunal
from mediation.models import Confirmation, Invitation, Mediation
from mediation.services import confirmations, mediations


def mediation_url(mediation_id: int) -> str:
    return f"/mediations/{mediation_id}/"


def on_diverted(delivery: Delivery) -> None:
    """A filing was diverted to pre-filing mediation: the court's judges hear of it, to open the mediation
    from it (its parties and materials come along) within 3 working days."""
    filing = Filing.objects.get(pk=delivery.payload["filing"])
    notify_court(
        court=delivery.court,
        role=Role.JUDGE,
        title=Message(
            gettext_noop("Filing %(receipt)s awaits pre-filing mediation (accept within 3 working days)"),
            receipt=filing.receipt_number,
        ),
        url=f"/mediations/new/?filing={filing.pk}",
        delivery=delivery,
    )


def on_invited(delivery: Delivery) -> None:
    """An invitation reached the invited court: in its tribunal's inbox, its judges told."""
    invitation = mediations.invitation_receive(
        invitation_id=delivery.payload["invitation"], court=delivery.court
    )
    if invitation is None:
        return  # cancelled on the way
    mediation = Mediation.objects.select_related("lead_tribunal").get(pk=invitation.mediation_id)
    tribunal = Tribunal.objects.get(pk=invitation.tribunal_id)
    title = Message(
        gettext_noop("%(tribunal)s invites you to mediate %(number)s (%(cause)s); answer by %(due)s"),
        tribunal=TribunalName(mediation.lead_tribunal),
        number=mediation.number,
        cause=mediation.cause,
        due=invitation.due_at.astimezone(COURT_TZ).strftime("%Y-%m-%d"),
    )
    notices = notify_users(
        recipients=list(staff_of_tribunal(tribunal, Role.JUDGE)),
        court=delivery.court,
        title=title,
        url=mediation_url(mediation.pk),
        delivery=delivery,
    )
    if not notices:  # a tribunal with no judge on the system: the court's judges
        notify_court(
            court=delivery.court,
            role=Role.JUDGE,
            title=title,
            url=mediation_url(mediation.pk),
            delivery=delivery,
        )


def on_answered(delivery: Delivery) -> None:
    """An invited tribunal answered: the lead court settles the mediation and its mediator hears of it."""
    mediation = mediations.mediation_settle_answers(
        mediation_id=delivery.payload["mediation"], court=delivery.court
    )
    invitation = Invitation.objects.select_related("tribunal").get(pk=delivery.payload["invitation"])
    mediation = mediation or Mediation.objects.get(pk=delivery.payload["mediation"])
    answer = Invitation.State(invitation.state).label
    outcome = ""
    if mediation.state == Mediation.State.ACCEPTED:
        outcome = Message(
            gettext_noop("; the mediation runs until %(date)s"), date=mediation.expires_on.isoformat()
        )
    elif mediation.state == Mediation.State.DECLINED:
        outcome = Message(gettext_noop("; every invited tribunal declined: invite another or end it"))
    title = Message(
        gettext_noop("%(number)s: %(tribunal)s %(answer)s%(outcome)s"),
        number=mediation.number,
        tribunal=TribunalName(invitation.tribunal),
        answer=answer,
        outcome=outcome,
    )
    _tell_mediators(mediation, court=delivery.court, title=title, delivery=delivery)


NOTES = {
    "session_scheduled": gettext_lazy("a session was scheduled"),
    "session_rescheduled": gettext_lazy("a session was moved"),
    "session_cancelled": gettext_lazy("a session was cancelled"),
    "session_recorded": gettext_lazy("the minutes of a session were recorded"),
    "agreed": gettext_lazy("the parties signed an agreement"),
    "failed": gettext_lazy("mediation failed"),
    "withdrawn": gettext_lazy("the parties withdrew"),
    "expired": gettext_lazy("the mediation period ended without agreement"),
    "extended": gettext_lazy("the parties agreed to extend the mediation"),
    "accepted": gettext_lazy("every invited tribunal answered: the mediation starts"),
    "invitation_cancelled": gettext_lazy("your tribunal's invitation was withdrawn"),
}


def on_changed(delivery: Delivery) -> None:
    """A change the other courts of the mediation must see: their mediators (or judges) hear of it."""
    mediation = Mediation.objects.get(pk=delivery.payload["mediation"])
    note = delivery.payload.get("note", "")
    title = Message(gettext_noop("%(number)s: %(what)s"), number=mediation.number, what=NOTES.get(note, note))
    if delivery.payload.get("invitation"):
        # About one invitation (withdrawn): the judges of the tribunal asked, not every mediator here.
        invitation = Invitation.objects.select_related("tribunal").get(pk=delivery.payload["invitation"])
        notify_users(
            recipients=list(staff_of_tribunal(invitation.tribunal, Role.JUDGE)),
            court=delivery.court,
            title=title,
            url=mediation_url(mediation.pk),
            delivery=delivery,
        )
        return
    _tell_mediators(mediation, court=delivery.court, title=title, delivery=delivery)


def _tell_mediators(mediation: Mediation, *, court, title, delivery: Delivery) -> None:
    """This court's mediators of the mediation; if it has none yet (an invitation still unanswered), the
    judges of its invited tribunals; failing those, the court's judges."""
    mediators = []
    if mediation.lead_court_id == court.pk and mediation.lead_mediator_id:
        mediators.append(mediation.lead_mediator_id)
    invitations = Invitation.objects.filter(mediation=mediation, court=court).select_related("tribunal")
    mediators += [invitation.mediator_id for invitation in invitations if invitation.mediator_id]
    recipients = list(User.objects.filter(pk__in=mediators, is_active=True))
    if not recipients:
        for invitation in invitations:
            recipients += list(staff_of_tribunal(invitation.tribunal, Role.JUDGE))
    notices = notify_users(
        recipients=recipients, court=court, title=title, url=mediation_url(mediation.pk), delivery=delivery
    )
    if not notices:
        notify_court(
            court=court, role=Role.JUDGE, title=title, url=mediation_url(mediation.pk), delivery=delivery
        )


def on_confirmation_applied(delivery: Delivery) -> None:
    """The parties applied to this court: its filing clerks register it (or ask for more)."""
    confirmation = Confirmation.objects.select_related("mediation").get(pk=delivery.payload["confirmation"])
    if confirmation.court_id != delivery.court.pk:
        raise ValueError(f"confirmation {confirmation.pk} is for court {confirmation.court_id}")
    notify_court(
        court=delivery.court,
        role=Role.FILING_CLERK,
        title=Message(
            gettext_noop("Application for judicial confirmation of %(number)s (%(cause)s)"),
            number=confirmation.mediation.number,
            cause=confirmation.mediation.cause,
        ),
        url=f"/confirmations/{confirmation.pk}/",
        delivery=delivery,
    )


def on_confirmation_changed(delivery: Delivery) -> None:
    confirmation = Confirmation.objects.select_related("mediation", "case").get(
        pk=delivery.payload["confirmation"]
    )
    title = Message(
        gettext_noop("Judicial confirmation of %(number)s: %(state)s %(case_number)s"),
        number=confirmation.mediation.number,
        state=Confirmation.State(delivery.payload["state"]).label,
        case_number=confirmation.case.number if confirmation.case_id else "",
    )
    _tell_mediators(confirmation.mediation, court=delivery.court, title=title, delivery=delivery)


def register() -> None:
    register_handler(DIVERTED, on_diverted)
    register_handler(mediations.INVITED, on_invited)
    register_handler(mediations.ANSWERED, on_answered)
    register_handler(mediations.CHANGED, on_changed)
    register_handler(confirmations.APPLIED, on_confirmation_applied)
    register_handler(confirmations.CHANGED, on_confirmation_changed)
