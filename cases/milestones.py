"""What the public sees of filings, cases, and service and preservation requests (cases.status is the
registry; this is the one place these flows declare their part of it).

Milestones are timeline events, named here action by action: an action not listed is never shown. The
labels say what happened and the court says where; no person, no reason typed by staff (a refusal's draft,
a remark), no document's content. A preservation is shown only once carried out: before that, telling anyone
could warn the respondent (2018 disclosure rules, art. 8).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, Filing, PreservationRequest, ServiceRequest
from cases.status import (
    Found,
    Matter,
    Milestone,
    PublicEvent,
    Status,
    Upcoming,
    contact_of,
    payload_date,
    register_matter_subjects,
    register_public_events,
    register_status_finder,
    subject,
)
from courts.personal_data import mask_in_text
from courts.selectors import court_by_id, tribunal_by_id

PUBLIC_EVENTS = {
    "filing.submit": PublicEvent(gettext_lazy("Materials received at the window")),
    "filing.receive": PublicEvent(gettext_lazy("Materials received by the court with jurisdiction")),
    "filing.request_correction": PublicEvent(gettext_lazy("Correction of the materials requested")),
    "filing.resubmit": PublicEvent(gettext_lazy("Corrected materials received at the window")),
    "filing.receive_resubmission": PublicEvent(gettext_lazy("Corrected materials received by the court")),
    "filing.register": PublicEvent(gettext_lazy("Case registered")),
    "filing.divert_to_mediation": PublicEvent(gettext_lazy("Sent to pre-filing mediation")),
    "filing.refuse": PublicEvent(gettext_lazy("Not accepted; a written ruling follows")),
    "filing.withdraw": PublicEvent(gettext_lazy("Filing withdrawn")),
    "filing.return": PublicEvent(gettext_lazy("Materials returned: not corrected in time")),
    "case.close": PublicEvent(gettext_lazy("Case closed")),
    "service_request.send": PublicEvent(gettext_lazy("Documents sent to another court for service")),
    "service_request.serve": PublicEvent(gettext_lazy("Documents served"), at=payload_date("served_on")),
    "service_request.fail": PublicEvent(gettext_lazy("Documents could not be served")),
    "preservation_request.report": PublicEvent(
        gettext_lazy("Property preservation carried out"),
        shown=lambda event: int((event.payload or {}).get("measures_done") or 0) > 0,
    ),
}


def matter_subjects(matter: Matter):
    return [
        subject(Filing, matter.filings),
        subject(Case, matter.cases),
        subject(ServiceRequest, ServiceRequest.objects.filter(case_id__in=matter.cases).values("pk")),
        subject(
            PreservationRequest, PreservationRequest.objects.filter(case_id__in=matter.cases).values("pk")
        ),
    ]


def is_receipt_number(number: str) -> bool:
    return number.startswith("KY")


def _first(queryset):
    return next(iter(queryset[:1]), None)


def find_filing(number: str) -> Found | None:
    filing = _first(
        # The courts and tribunals come from the process's registry (courts.selectors), not joined in.
        Filing.objects.select_related("case").filter(receipt_number=number)
    )
    if filing is None:
        return None
    case = getattr(filing, "case", None)
    return Found(
        code_hash=filing.query_code_hash,
        matter=Matter(filings=[filing.pk], cases=[case.pk] if case else []),
        build=lambda milestones, upcoming: (
            case_status(case, milestones, upcoming, asked=number, filing=filing)
            if case is not None
            else filing_status(filing, milestones, upcoming)
        ),
        restore=lambda new_hash: _restore(new_hash, filing_id=filing.pk),
        log={"filing": filing, "case": case},
    )


def find_case(number: str) -> Found | None:
    case = _first(Case.objects.select_related("origin_filing").filter(number=number))
    if case is None:
        return None
    filing = case.origin_filing
    return Found(
        code_hash=case.query_code_hash,
        matter=Matter(filings=[filing.pk] if filing else [], cases=[case.pk]),
        build=lambda milestones, upcoming: case_status(
            case, milestones, upcoming, asked=number, filing=filing
        ),
        restore=lambda new_hash: _restore(new_hash, filing_id=case.origin_filing_id, case_id=case.pk),
        log={"filing": filing, "case": case},
    )


def _restore(new_hash: str, *, filing_id: int | None = None, case_id: int | None = None) -> None:
    """A code issued under the old password hash, used rightly: kept from now on as its HMAC."""
    if filing_id:
        Filing.objects.filter(pk=filing_id).update(query_code_hash=new_hash)
        Case.objects.filter(origin_filing_id=filing_id).update(query_code_hash=new_hash)
    if case_id:
        Case.objects.filter(pk=case_id).update(query_code_hash=new_hash)


def filing_status(filing: Filing, milestones: list[Milestone], upcoming: list[Upcoming]) -> Status:
    state = Filing.State
    status = Status(
        number=filing.receipt_number,
        kind="filing",
        title=_("Cross-region filing %(receipt)s") % {"receipt": filing.receipt_number},
        state=filing.state,
        state_label=str(filing.get_state_display()),
        court=court_by_id(filing.jurisdiction_court_id).name,
        milestones=milestones,
        upcoming=upcoming,
        contact=contact_of(court_by_id(filing.jurisdiction_court_id)),
    )
    if filing.state == state.SUBMITTED:
        status.next_step = _("The materials are on their way to the court with jurisdiction.")
    elif filing.state in (state.RECEIVED, state.RESUBMITTED):
        status.next_step = _("The court with jurisdiction decides whether to register the case by:")
        status.due_at = filing.decision_due_at
    elif filing.state == state.CORRECTION_REQUESTED:
        status.next_step = _("Bring the following to any of the three courts' windows by:")
        status.due_at = filing.correction_deadline
        status.items = [mask_in_text(item) for item in filing.correction_items]  # typed by staff
    elif filing.state == state.DIVERTED_TO_MEDIATION:
        status.next_step = next_appointment(upcoming) or _(
            "A mediator will contact you; pre-filing mediation lasts up to 30 days."
        )
    elif filing.state == state.REFUSED:
        status.next_step = _(
            "A written ruling will be served on you; you may appeal within 10 days of service."
        )
    elif filing.state == state.RETURNED:
        status.next_step = _("The materials were not corrected in time; you may file again.")
    return status


def case_status(
    case: Case,
    milestones: list[Milestone],
    upcoming: list[Upcoming],
    *,
    asked: str,
    filing: Filing | None = None,
) -> Status:
    court = court_by_id(case.court_id)
    tribunal = tribunal_by_id(case.tribunal_id) if case.tribunal_id else None
    status = Status(
        number=asked,
        kind="case",
        title=case.number,
        state=case.state,
        state_label=str(case.get_state_display()),
        case_number=case.number,
        court=f"{court.name} {tribunal.name}" if tribunal else court.name,
        milestones=milestones,
        upcoming=upcoming,
        contact=(contact_of(tribunal) if tribunal else "") or contact_of(court),
    )
    if case.state == Case.State.CLOSED:
        status.next_step = _("The case is closed.")
    else:
        status.next_step = next_appointment(upcoming) or _(
            "The court will notify you of hearings and of anything you need to do."
        )
    return status


def next_appointment(upcoming: list[Upcoming]) -> str:
    if not upcoming:
        return ""
    first = upcoming[0]
    return _("Next: %(what)s, %(when)s, %(where)s.") % {
        "what": first.label,
        "when": timezone.localtime(first.at).strftime("%Y-%m-%d %H:%M"),
        "where": first.place or first.court,
    }


def register() -> None:
    register_status_finder(find_filing, claims=is_receipt_number)
    register_status_finder(find_case)
    register_matter_subjects(matter_subjects)
    register_public_events(PUBLIC_EVENTS)
