"""What a litigant may learn at a service window or kiosk with a receipt or case number and the query code
printed on the receipt (DOMAIN.md, "Status lookup for litigants").

Procedural status only: where the matter stands, what happens next and by when. Never an ID number, never the
other party's contacts or address, never a preservation measure before it is carried out (2018 disclosure
rules, art. 8), nothing about another case.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password
from django.utils.translation import gettext as _

from cases.models import Case, Filing, PreservationRequest, ServiceRequest, StatusLookup
from courts.numbers import normalise_number
from courts.text import join_list

# Checked against when the number is unknown, so a wrong number costs as long as a wrong code.
_DUMMY_HASH = make_password("not-a-query-code")


@dataclass
class StatusLine:
    label: str
    detail: str = ""
    when: object = None


@dataclass
class Status:
    title: str
    state: str
    next_step: str = ""
    due: object = None
    lines: list[StatusLine] = field(default_factory=list)
    case_number: str = ""
    court: str = ""
    contact: str = ""  # where to ask: the tribunal's or court's address and phone, from the registry


def contact_of(place) -> str:
    """A court's or tribunal's address and phone as the registry has them ("" until an administrator enters
    them)."""
    return " · ".join(part for part in (place.address, place.phone) if part)


def _find(number: str) -> tuple[Filing | None, Case | None]:
    filing = (
        Filing.objects.select_related("jurisdiction_court", "collaborating_court")
        .filter(receipt_number__iexact=number)
        .first()
    )
    case = Case.objects.select_related("court", "tribunal").filter(number=number).first()
    if filing is not None:
        case = Case.objects.select_related("court", "tribunal").filter(origin_filing=filing).first()
    elif case is not None:
        filing = case.origin_filing
    return filing, case


# Numbers of the flows above this floor (a mediation's 民诉前调 number), which it cannot look up itself: each
# registers a finder (in its AppConfig.ready) that takes the number asked for and answers None, or the
# stored query-code hash and a function building the status once the code matched.
StatusFinder = Callable[[str], tuple[str, Callable[[], Status]] | None]
_finders: list[StatusFinder] = []


def register_status_finder(finder: StatusFinder) -> None:
    if finder not in _finders:
        _finders.append(finder)


def status_lookup(*, number: str, code: str, address: str) -> Status | None:
    """The status, or None for an unknown number or a wrong code (the two are not told apart). The number
    may be typed with brackets and digits of either width and any spaces (courts.numbers)."""
    asked, number = number, normalise_number(number)
    filing, case = _find(number)
    stored = (filing.query_code_hash if filing else None) or (case.query_code_hash if case else None)
    build = None
    if filing is None and case is None:
        found = next((hit for finder in _finders if (hit := finder(number)) is not None), None)
        if found is not None:
            stored, build = found
    matches = check_password("".join(code.split()).upper(), stored or _DUMMY_HASH) and stored is not None
    StatusLookup.objects.create(
        number=asked.strip()[:64],
        found=matches,
        filing=filing if matches else None,
        case=case if matches else None,
        address=address[:64],
    )
    if not matches:
        return None
    if build is not None:
        return build()
    return _case_status(case) if case is not None else _filing_status(filing)


def _filing_status(filing: Filing) -> Status:
    state = filing.State
    status = Status(
        title=_("Cross-region filing %(receipt)s") % {"receipt": filing.receipt_number},
        state=str(filing.get_state_display()),
        court=filing.jurisdiction_court.name,
    )
    if filing.state == state.SUBMITTED:
        status.next_step = _("The materials are on their way to the court with jurisdiction.")
    elif filing.state in (state.RECEIVED, state.RESUBMITTED):
        status.next_step = _("The court with jurisdiction decides whether to register the case by:")
        status.due = filing.decision_due_at
    elif filing.state == state.CORRECTION_REQUESTED:
        status.next_step = _("Bring the following to any of the three courts' windows by:")
        status.due = filing.correction_deadline
        status.lines = [StatusLine(item) for item in filing.correction_items]
    elif filing.state == state.DIVERTED_TO_MEDIATION:
        status.next_step = _("A mediator will contact you; pre-filing mediation lasts up to 30 days.")
    elif filing.state == state.REFUSED:
        status.next_step = _(
            "A written ruling will be served on you; you may appeal within 10 days of service."
        )
    elif filing.state == state.RETURNED:
        status.next_step = _("The materials were not corrected in time; you may file again.")
    status.lines.insert(
        0, StatusLine(_("Materials received"), filing.collaborating_court.name, filing.submitted_at)
    )
    return status


def _case_status(case: Case) -> Status:
    where = case.tribunal or case.court
    status = Status(
        title=case.number,
        state=str(case.get_state_display()),
        case_number=case.number,
        court=f"{case.court.name} {case.tribunal.name}" if case.tribunal_id else case.court.name,
        contact=contact_of(where) or contact_of(case.court),
    )
    if case.origin_filing is not None:
        status.lines.append(
            StatusLine(
                _("Materials received"),
                case.origin_filing.collaborating_court.name,
                case.origin_filing.submitted_at,
            )
        )
    status.lines.append(StatusLine(_("Registered"), case.number, case.registered_at))
    for request in (
        ServiceRequest.objects.filter(case=case).prefetch_related("documents").order_by("created_at")
    ):
        documents = join_list(document.name for document in request.documents.all())
        if request.state in ("served", "closed") and request.served_on:
            status.lines.append(StatusLine(_("Documents served"), documents, request.served_on))
        elif request.state in ("sent", "received", "accepted"):
            status.lines.append(StatusLine(_("Documents being served"), documents))
    # A preservation appears only once carried out: before that, telling anyone could warn the respondent.
    for request in PreservationRequest.objects.filter(case=case, carried_out_at__isnull=False).order_by(
        "created_at"
    ):
        status.lines.append(StatusLine(_("Property preservation carried out"), "", request.carried_out_at))
    status.next_step = _("The court will notify you of hearings and of anything you need to do.")
    return status
