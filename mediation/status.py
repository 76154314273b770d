"""What the public sees of mediations, their sessions and judicial confirmations (cases.status is the
registry; this is the one place these flows declare their part of it).

A party follows a mediation with its 诉前调 number, a confirmation with its 民特 case number, and either from
the filing or case it came from (the matter's subjects below reach them). Procedural status only: where it
stands, the next session's time and place (the tribunal, never a room or a meeting link), what happens next
and by when; no names of staff or parties, no terms of the agreement (mediation outcomes are not published,
DOMAIN.md).
"""

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.milestones import next_appointment
from cases.status import (
    Found,
    Matter,
    Milestone,
    PublicEvent,
    Status,
    Upcoming,
    contact_of,
    register_matter_subjects,
    register_matter_widening,
    register_public_events,
    register_status_finder,
    subject,
)
from courts.personal_data import mask_in_text
from courts.selectors import court_by_id, tribunal_by_id
from mediation.models import Confirmation, Mediation, MediationSession

PUBLIC_EVENTS = {
    "mediation.propose": PublicEvent(gettext_lazy("Mediation opened")),
    "mediation.accept": PublicEvent(gettext_lazy("Mediation accepted by the tribunals; 30 days run")),
    "mediation.agree": PublicEvent(gettext_lazy("Mediation agreement signed")),
    "mediation.fail": PublicEvent(gettext_lazy("Mediation ended without agreement")),
    "mediation.withdraw": PublicEvent(gettext_lazy("Mediation withdrawn by the parties")),
    "mediation.expire": PublicEvent(gettext_lazy("Mediation period ended without agreement")),
    "mediation.extend": PublicEvent(gettext_lazy("Mediation period extended")),
    "mediation.convert_to_filing": PublicEvent(gettext_lazy("Dispute sent on as a filing")),
    "session.record": PublicEvent(
        gettext_lazy("Mediation session held"),
        shown=lambda event: event.to_state == MediationSession.State.HELD,
    ),
    "confirmation.apply": PublicEvent(gettext_lazy("Judicial confirmation applied for")),
    "confirmation.request_supplement": PublicEvent(gettext_lazy("Supplementary materials requested")),
    "confirmation.register": PublicEvent(gettext_lazy("Registered as a judicial confirmation case")),
    "confirmation.confirm": PublicEvent(gettext_lazy("Agreement confirmed by ruling")),
    "confirmation.reject": PublicEvent(gettext_lazy("Application for confirmation rejected")),
    "confirmation.not_accept": PublicEvent(gettext_lazy("Application for confirmation not accepted")),
    "confirmation.withdraw": PublicEvent(gettext_lazy("Application for confirmation withdrawn")),
    "confirmation.start_enforcement": PublicEvent(gettext_lazy("Enforcement applied for")),
}


def _mediations_of(matter: Matter):
    """The mediations of a matter: on its filing or case, the one its filing came from when a mediation
    failed, the one whose 民特 case or enforcement filing it is."""
    return Mediation.objects.filter(
        Q(pk__in=matter.mediations)
        | Q(origin_filing_id__in=matter.filings)
        | Q(resulting_filing_id__in=matter.filings)
        | Q(origin_case_id__in=matter.cases)
        | Q(confirmations__case_id__in=matter.cases)
        | Q(confirmations__enforcement_filing_id__in=matter.filings)
    )


def widen(matter: Matter) -> list[Upcoming]:
    """One query: the matter's mediations with their sessions and confirmations, and what they led to (the
    filing made when one failed, the enforcement filing, the 民特 case, and the cases those filings became),
    added to the matter; the sessions still to come, answered. No mediation: no query at all (every list
    empty) or one that finds nothing."""
    rows = _mediations_of(matter).values(
        "pk",
        "resulting_filing_id",
        "resulting_filing__case__id",
        "confirmations__pk",
        "confirmations__case_id",
        "confirmations__enforcement_filing_id",
        "confirmations__enforcement_filing__case__id",
        "sessions__pk",
        "sessions__state",
        "sessions__mode",
        "sessions__starts_at",
        "sessions__tribunal_id",  # named from the process's registry (courts.selectors), not joined in
    )
    upcoming, seen_sessions, now = [], set(), timezone.now()
    for row in rows:
        matter.add("mediations", [row["pk"]])
        matter.add("confirmations", [row["confirmations__pk"]])
        matter.add("sessions", [row["sessions__pk"]])
        matter.add("filings", [row["resulting_filing_id"], row["confirmations__enforcement_filing_id"]])
        matter.add(
            "cases",
            [
                row["resulting_filing__case__id"],
                row["confirmations__case_id"],
                row["confirmations__enforcement_filing__case__id"],
            ],
        )
        session = row["sessions__pk"]
        if (
            session is None
            or session in seen_sessions
            or row["sessions__state"] != MediationSession.State.SCHEDULED
            or row["sessions__starts_at"] <= now
        ):
            continue
        seen_sessions.add(session)
        tribunal = tribunal_by_id(row["sessions__tribunal_id"]) if row["sessions__tribunal_id"] else None
        online = row["sessions__mode"] == MediationSession.Mode.ONLINE
        upcoming.append(
            Upcoming(
                at=row["sessions__starts_at"],
                label=_("Mediation session"),
                place=_("online") if online or tribunal is None else tribunal.name,
                court=court_by_id(tribunal.court_id).name if tribunal else "",
            )
        )
    return upcoming


def matter_subjects(matter: Matter):
    return [
        subject(Mediation, matter.mediations),
        subject(MediationSession, matter.sessions),
        subject(Confirmation, matter.confirmations),
    ]


def is_mediation_number(number: str) -> bool:
    return "诉前调" in number


def is_confirmation_number(number: str) -> bool:
    return "民特" in number


def _latest_confirmation(field: str):
    latest = Confirmation.objects.filter(mediation=OuterRef("pk")).order_by("-applied_at", "-id")
    return Subquery(latest.values(field)[:1])


def find_mediation(number: str) -> Found | None:
    mediation = next(
        iter(
            Mediation.objects.annotate(
                confirmation_state=_latest_confirmation("state"),
                confirmation_due_at=_latest_confirmation("decision_due_at"),
                confirmation_case=_latest_confirmation("case_id"),
                confirmation_case_number=_latest_confirmation("case__number"),
            ).filter(number=number)[:1]
        ),
        None,
    )
    if mediation is None:
        return None
    return Found(
        code_hash=mediation.query_code_hash,
        matter=Matter(
            mediations=[mediation.pk],
            filings=[pk for pk in (mediation.origin_filing_id, mediation.resulting_filing_id) if pk],
            cases=[pk for pk in (mediation.origin_case_id, mediation.confirmation_case) if pk],
        ),
        build=lambda milestones, upcoming: mediation_status(mediation, milestones, upcoming),
        restore=lambda new_hash: _restore(new_hash, mediation.pk),
    )


def find_confirmation(number: str) -> Found | None:
    """A 民特 case number: the confirmation registered as that case (the case keeps the mediation's code)."""
    confirmation = next(
        iter(Confirmation.objects.select_related("case", "mediation").filter(case__number=number)[:1]),
        None,
    )
    if confirmation is None:
        return None
    mediation = confirmation.mediation
    return Found(
        code_hash=confirmation.case.query_code_hash,
        matter=Matter(
            mediations=[mediation.pk],
            filings=[pk for pk in (mediation.origin_filing_id,) if pk],
            cases=[pk for pk in (mediation.origin_case_id, confirmation.case_id) if pk],
        ),
        build=lambda milestones, upcoming: confirmation_status(confirmation, milestones, upcoming),
        restore=lambda new_hash: _restore(new_hash, mediation.pk),
        log={"case": confirmation.case},
    )


def _restore(new_hash: str, mediation_id: int) -> None:
    """An old-style code hash, used rightly: re-stored as its HMAC on the mediation and on every filing and
    case that shares it."""
    from mediation.services.mediations import sharing_the_code

    mediation = Mediation.objects.get(pk=mediation_id)
    filings, cases = sharing_the_code(mediation, mediation.query_code_hash)
    cases.update(query_code_hash=new_hash)
    filings.update(query_code_hash=new_hash)
    Mediation.objects.filter(pk=mediation_id).update(query_code_hash=new_hash)


def mediation_status(mediation: Mediation, milestones: list[Milestone], upcoming: list[Upcoming]) -> Status:
    state = Mediation.State
    status = Status(
        number=mediation.number,
        kind="mediation",
        title=_("Pre-filing mediation %(number)s") % {"number": mediation.number},
        state=mediation.state,
        state_label=str(mediation.get_state_display()),
        court=" ".join(
            (court_by_id(mediation.lead_court_id).name, tribunal_by_id(mediation.lead_tribunal_id).name)
        ),
        milestones=milestones,
        upcoming=upcoming,
        contact=contact_of(tribunal_by_id(mediation.lead_tribunal_id))
        or contact_of(court_by_id(mediation.lead_court_id)),
        case_number=mediation.confirmation_case_number or "",
    )
    if mediation.state in (state.PROPOSED, state.DECLINED):
        status.next_step = _(
            "The tribunals are arranging the mediation; you will be told of the first session."
        )
    elif upcoming:
        status.next_step = next_appointment(upcoming)
    elif mediation.state in (state.ACCEPTED, state.IN_SESSION):
        status.next_step = _("The mediation runs until:")
        status.due_at = mediation.expires_on
    elif mediation.state == state.AGREED:
        confirmation_state = mediation.confirmation_state
        if confirmation_state is None:
            status.next_step = _(
                "You may apply together for judicial confirmation within 30 days of the agreement "
                "taking effect."
            )
        elif confirmation_state in (Confirmation.State.REGISTERED, Confirmation.State.APPLIED):
            status.next_step = _("The court decides on the confirmation by:")
            status.due_at = mediation.confirmation_due_at
    elif mediation.state in (state.FAILED, state.EXPIRED):
        status.next_step = (
            _("The dispute has been sent on as a filing to the court with jurisdiction.")
            if mediation.resulting_filing_id
            else _("No agreement was reached; the dispute may go to court as a filing.")
        )
    return status


def confirmation_status(
    confirmation: Confirmation, milestones: list[Milestone], upcoming: list[Upcoming]
) -> Status:
    status = Status(
        number=confirmation.case.number,
        kind="confirmation",
        title=confirmation.case.number,
        state=confirmation.state,
        state_label=str(confirmation.get_state_display()),
        court=court_by_id(confirmation.court_id).name,
        milestones=milestones,
        upcoming=upcoming,
        contact=contact_of(court_by_id(confirmation.court_id)),
        case_number=confirmation.case.number,
    )
    if confirmation.state == Confirmation.State.REGISTERED:
        status.next_step = _("The court decides on the confirmation by:")
        status.due_at = confirmation.decision_due_at
    elif confirmation.state == Confirmation.State.SUPPLEMENT_REQUESTED:
        status.next_step = _("Bring the following to the court by:")
        status.due_at = confirmation.supplement_deadline
        status.items = [mask_in_text(item) for item in confirmation.supplement_items]  # typed by staff
    elif confirmation.state == Confirmation.State.CONFIRMED:
        status.next_step = _(
            "The ruling has taken effect. If a party does not perform the agreement, the other may apply "
            "to the court for enforcement."
        )
    return status


def register() -> None:
    register_status_finder(find_mediation, claims=is_mediation_number)
    register_status_finder(find_confirmation, claims=is_confirmation_number)
    register_matter_subjects(matter_subjects)
    register_matter_widening(widen)
    register_public_events(PUBLIC_EVENTS)
