"""What a party to a mediation may learn at /status/ with the mediation number and its query code
(cases.status asks here through the finder this app registers). Procedural status only: where it stands,
the next session's time and place (the tribunal, never a room's occupants or a meeting link), what happens
next and by when; no names of staff or parties, no terms of the agreement (mediation outcomes are not
published, DOMAIN.md)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.status import Status, StatusLine, contact_of
from mediation.models import Confirmation, Mediation, MediationSession


def find(number: str):
    mediation = (
        Mediation.objects.select_related("lead_tribunal", "lead_court")
        .filter(number=number)
        .only("pk", "query_code_hash", "number", "lead_tribunal", "lead_court", "state")
        .first()
    )
    if mediation is None:
        return None
    return mediation.query_code_hash, lambda: mediation_status(mediation.pk)


def mediation_status(mediation_id: int) -> Status:
    mediation = Mediation.objects.select_related("lead_tribunal", "lead_court").get(pk=mediation_id)
    status = Status(
        title=_("Pre-filing mediation %(number)s") % {"number": mediation.number},
        state=str(mediation.get_state_display()),
        court=f"{mediation.lead_court.name} {mediation.lead_tribunal.name}",
        contact=contact_of(mediation.lead_tribunal) or contact_of(mediation.lead_court),
    )
    status.lines.append(StatusLine(_("Mediation opened"), mediation.lead_tribunal.name, mediation.created_at))
    if mediation.accepted_at:
        status.lines.append(StatusLine(_("Mediation accepted"), "", mediation.accepted_at))
    sessions = (
        MediationSession.objects.filter(mediation=mediation).select_related("tribunal").order_by("starts_at")
    )
    upcoming = None
    for session in sessions:
        place = session.tribunal.name if session.tribunal_id else ""
        if session.mode == MediationSession.Mode.ONLINE:
            place = _("online")
        if session.state == MediationSession.State.HELD:
            status.lines.append(StatusLine(_("Mediation session held"), place, session.starts_at))
        elif session.state == MediationSession.State.SCHEDULED and session.starts_at > timezone.now():
            upcoming = upcoming or session
    if mediation.state in (Mediation.State.PROPOSED, Mediation.State.DECLINED):
        status.next_step = _(
            "The tribunals are arranging the mediation; you will be told of the first session."
        )
    elif upcoming is not None:
        where = _("online") if upcoming.mode == MediationSession.Mode.ONLINE else upcoming.tribunal.name
        status.next_step = _("Next mediation session: %(when)s, %(where)s.") % {
            "when": timezone.localtime(upcoming.starts_at).strftime("%Y-%m-%d %H:%M"),
            "where": where,
        }
    elif mediation.state in (Mediation.State.ACCEPTED, Mediation.State.IN_SESSION):
        status.next_step = _("The mediation runs until:")
        status.due = mediation.expires_on
    elif mediation.state == Mediation.State.AGREED:
        status.lines.append(StatusLine(_("Mediation agreement signed"), "", mediation.ended_at))
        confirmation = (
            Confirmation.objects.filter(mediation=mediation)
            .select_related("case", "court")
            .order_by("-applied_at")
            .first()
        )
        if confirmation is None:
            status.next_step = _(
                "You may apply together for judicial confirmation within 30 days of the agreement "
                "taking effect."
            )
        else:
            status.lines.append(
                StatusLine(
                    _("Judicial confirmation applied for"), confirmation.court.name, confirmation.applied_at
                )
            )
            if confirmation.case_id:
                status.lines.append(
                    StatusLine(_("Registered"), confirmation.case.number, confirmation.registered_at)
                )
                status.case_number = confirmation.case.number
            if confirmation.decided_at:
                status.lines.append(
                    StatusLine(str(confirmation.get_state_display()), "", confirmation.decided_at)
                )
            elif confirmation.decision_due_at:
                status.next_step = _("The court decides on the confirmation by:")
                status.due = confirmation.decision_due_at
    elif mediation.state in (Mediation.State.FAILED, Mediation.State.EXPIRED):
        status.next_step = (
            _("The dispute has been sent on as a filing to the court with jurisdiction.")
            if mediation.resulting_filing_id
            else _("No agreement was reached; the dispute may go to court as a filing.")
        )
    return status
