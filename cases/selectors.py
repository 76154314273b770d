"""What a user may see of filings and cases. Every list, detail, page and API endpoint starts here: a record
of another court is simply not in the queryset, so it is a 404, never a 403."""

import datetime as dt

from django.db.models import Case as Conditional  # SQL CASE; `Case` is our model
from django.db.models import Prefetch, Q, QuerySet, Value, When

from cases.models import (
    FILING_OPEN,
    FILING_UNDER_REVIEW,
    REQUEST_CLOCK_RUNNING,
    REQUEST_OPEN,
    Case,
    Filing,
    FilingAttachment,
    Party,
    PreservationRequest,
    ServiceRequest,
)
from courts.legal_calendar import COURT_TZ
from courts.models import Event
from courts.selectors import acting_court


def filings_visible_to(user) -> QuerySet[Filing]:
    court = acting_court(user)
    if court is None:
        return Filing.objects.none()
    return Filing.objects.filter(Q(collaborating_court=court) | Q(jurisdiction_court=court))


def cases_visible_to(user) -> QuerySet[Case]:
    """Cases that involve the user's court: its own, those filed at its window, and those on which another
    court asked it for service or preservation (DOMAIN.md, "Privacy and access")."""
    court = acting_court(user)
    if court is None:
        return Case.objects.none()
    # Once a request has reached it (one cancelled on the way gives it no view of the case).
    asked = {"entrusted_court": court, "received_at__isnull": False}
    entrusted = Q(pk__in=ServiceRequest.objects.filter(**asked).values("case_id")) | Q(
        pk__in=PreservationRequest.objects.filter(**asked).values("case_id")
    )
    return Case.objects.filter(Q(court=court) | Q(origin_filing__collaborating_court=court) | entrusted)


def parties_visible_to(user) -> QuerySet[Party]:
    filings, cases = filings_visible_to(user), cases_visible_to(user)
    return Party.objects.filter(Q(filing__in=filings) | Q(case__in=cases))


def _with_list_relations(filings: QuerySet[Filing]) -> QuerySet[Filing]:
    # A fixed number of queries whatever the page size: courts and case joined, parties in one more query.
    return filings.select_related("collaborating_court", "jurisdiction_court", "case").prefetch_related(
        Prefetch("parties", queryset=Party.objects.order_by("position", "id"))
    )


def filing_list(user) -> QuerySet[Filing]:
    """Visible filings, most urgent first: open before decided, overdue first, then by decision due time,
    then newest. The list's filters narrow it (cases.filters.FilingFilter)."""
    open_first = Conditional(When(state__in=FILING_OPEN, then=Value(0)), default=Value(1))
    return _with_list_relations(filings_visible_to(user)).order_by(
        open_first, "-overdue", "decision_due_at", "-submitted_at", "-id"
    )


def inbox_for(user) -> dict[str, QuerySet[Filing]]:
    """The home page's two lists: what this court must decide, and outcomes to tell litigants."""
    court = acting_court(user)
    if court is None:
        return {"to_decide": Filing.objects.none(), "outgoing": Filing.objects.none()}
    base = _with_list_relations(Filing.objects.all())
    to_decide = base.filter(
        jurisdiction_court=court, state__in=FILING_UNDER_REVIEW + (Filing.State.SUBMITTED,)
    )
    # What came back to the window: decisions of the last two weeks, and corrections still awaited (the
    # litigant must be told, and the corrected filing sent).
    lately = dt.datetime.now(COURT_TZ) - dt.timedelta(days=OUTCOMES_SHOWN_DAYS)
    outgoing = base.filter(collaborating_court=court).filter(
        Q(state=Filing.State.CORRECTION_REQUESTED)
        | Q(decided_at__gte=lately, state__in=[s for s in Filing.State.values if s not in FILING_OPEN])
    )
    return {
        "to_decide": to_decide.order_by("-overdue", "decision_due_at", "submitted_at"),
        "outgoing": outgoing.order_by("-decided_at", "-id")[:50],
    }


OUTCOMES_SHOWN_DAYS = 14


def filing_detail(user, filing_id: int) -> Filing:
    """The filing with everything its page shows; raises Filing.DoesNotExist for another court's record."""
    return (
        _with_list_relations(filings_visible_to(user))
        .prefetch_related(
            Prefetch("attachments", queryset=FilingAttachment.objects.select_related("uploaded_by"))
        )
        .get(pk=filing_id)
    )


def case_list(user) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .select_related("court", "tribunal", "case_type", "origin_filing__collaborating_court")
        .prefetch_related(Prefetch("parties", queryset=Party.objects.order_by("position", "id")))
        .order_by("-registered_at", "-id")
    )


def case_timeline(user, case: Case) -> QuerySet[Event]:
    """The case's own events and the milestones of the requests about it that this user may see (sent,
    received, served, carried out...), in order: the case page shows one story."""
    condition = Q(subject_type=Case._meta.label_lower, subject_id=case.pk)
    for model in (ServiceRequest, PreservationRequest):
        ids = list(requests_visible_to(user, model).filter(case=case).values_list("pk", flat=True))
        if ids:
            condition |= Q(subject_type=model._meta.label_lower, subject_id__in=ids)
    return Event.objects.filter(condition).select_related("actor", "actor_court").order_by("created_at", "id")


def case_detail(user, case_id: int) -> Case:
    return case_list(user).get(pk=case_id)


# --- Requests between courts -------------------------------------------------------------------------------


def requests_visible_to(user, model) -> QuerySet:
    """Service or preservation requests of the user's court, as requesting or entrusted court."""
    court = acting_court(user)
    if court is None:
        return model.objects.none()
    return model.objects.filter(Q(requesting_court=court) | Q(entrusted_court=court))


def request_list(user, model) -> QuerySet:
    """Visible requests, most urgent first: open before closed, overdue first, then by due time. A fixed
    number of queries per page, whatever its size. The list's filters narrow it (cases.filters)."""
    party = "recipient" if model is ServiceRequest else "respondent"
    open_first = Conditional(When(state__in=REQUEST_OPEN, then=Value(0)), default=Value(1))
    return (
        requests_visible_to(user, model)
        .select_related("requesting_court", "entrusted_court", "case", party, "officer", "created_by")
        .order_by(open_first, "-overdue", "due_at", "-created_at", "-id")
    )


def request_detail(user, model, request_id: int):
    """One request with what its page shows; raises model.DoesNotExist for another court's."""
    related = (
        ["attempts", "documents", "attachments"] if model is ServiceRequest else ["measures", "attachments"]
    )
    return request_list(user, model).prefetch_related(*related).get(pk=request_id)


def request_inbox_for(user) -> dict[str, list]:
    """The home page's request lists: what this court owes other courts, and results owed acknowledgement."""
    court = acting_court(user)
    if court is None:
        return {"owed": [], "to_acknowledge": []}
    owed: list[ServiceRequest | PreservationRequest] = []
    to_acknowledge: list[ServiceRequest | PreservationRequest] = []
    for model in (ServiceRequest, PreservationRequest):
        listed = request_list(user, model)
        owed.extend(listed.filter(entrusted_court=court, state__in=REQUEST_CLOCK_RUNNING)[:50])
        results = [
            s
            for s in model.State.values
            if s not in REQUEST_OPEN and s not in ("closed", "cancelled", "returned")
        ]
        to_acknowledge.extend(listed.filter(requesting_court=court, state__in=results)[:50])
    owed.sort(key=lambda r: (not r.overdue, r.due_at))
    return {"owed": owed, "to_acknowledge": to_acknowledge}
