"""The cases floor's part of the home page's workbench (courts.workbench, registered in CasesConfig.ready):

- a filing clerk owes decisions on the filings that reached the court (7 days, CPL 126; past them,
  register first);
- a window clerk gets back what the courts with jurisdiction decided (to tell the litigant) and the
  corrections still awaited;
- an officer owes the requests another court entrusted to this one (accept, then serve or carry out);
- the clerks and judges who asked get back the results to acknowledge.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from cases import permissions, selectors
from cases.models import Filing, PreservationRequest, ServiceRequest
from cases.templatetags.request_results import request_result
from courts.models import Role
from courts.selectors import acting_court
from courts.workbench import MOST, Work, WorkItem

KIND_SLUGS = {ServiceRequest: "service", PreservationRequest: "preservation"}


def _filing_kind() -> str:
    return _("cross-region filing")


def _to_decide(filing: Filing) -> str:
    if filing.state == Filing.State.SUBMITTED:
        return _("on its way to the court")
    if filing.overdue:
        return _("Past 7 days: register first (先行立案)")
    return _("decide: register, ask for correction, divert or refuse")


def _came_back(filing: Filing) -> str:
    state = Filing.State
    if filing.state == state.REGISTERED and getattr(filing, "case", None) is not None:
        return _("registered as %(number)s: tell the litigant") % {"number": filing.case.number}
    if filing.state == state.CORRECTION_REQUESTED:
        return _("correction asked: send the corrected filing when the litigant brings it")
    if filing.state == state.REFUSED:
        return _("not accepted: tell the litigant (the ruling may be appealed)")
    if filing.state == state.RETURNED:
        return _("returned: not corrected in time")
    if filing.state == state.DIVERTED_TO_MEDIATION:
        return _("diverted to pre-filing mediation")
    return str(filing.get_state_display())


def filing_work(request) -> Work | None:
    user = request.user
    if acting_court(user) is None:
        return None
    work = Work()
    decides, files = user.has_role(Role.FILING_CLERK), permissions.may_file(user)
    if not (decides or files):
        return None
    inbox = selectors.inbox_for(user)
    if decides:
        for filing in inbox["to_decide"][:MOST]:
            work.owed.append(
                WorkItem(
                    kind=_filing_kind(),
                    reference=filing.receipt_number,
                    url=reverse("filing-detail", args=[filing.pk]),
                    what=_to_decide(filing),
                    due_at=filing.decision_due_at,
                    overdue=filing.overdue,
                    court=filing.collaborating_court.short_name,
                    detail=filing.cause,
                    state=str(filing.get_state_display()),
                )
            )
    if files:
        work.starts.append((_("New cross-region filing"), reverse("filing-new"), "new-filing"))
        for filing in inbox["outgoing"]:
            awaited = filing.state == Filing.State.CORRECTION_REQUESTED
            work.back.append(
                WorkItem(
                    kind=_filing_kind(),
                    reference=filing.receipt_number,
                    url=reverse("filing-detail", args=[filing.pk]),
                    what=_came_back(filing),
                    due_at=filing.current_deadline() if awaited else filing.decided_at,
                    court=filing.jurisdiction_court.short_name,
                    detail=filing.cause,
                    state=str(filing.get_state_display()),
                )
            )
    return work


def _request_kind(record) -> str:
    return _("service request") if isinstance(record, ServiceRequest) else _("preservation request")


def _owed(record) -> str:
    if record.state == "received":
        return _("accept it: an officer takes it on")
    if isinstance(record, ServiceRequest):
        return _("serve it and report each attempt")
    return _("carry out the measures and report")


def request_work(request) -> Work | None:
    user = request.user
    if acting_court(user) is None:
        return None
    handles = user.has_role(Role.OFFICER)
    asks = permissions.may_send_requests(user)
    if not (handles or asks):
        return None
    inbox = selectors.request_inbox_for(user)
    work = Work()
    if handles:
        for record in inbox["owed"]:
            work.owed.append(
                WorkItem(
                    kind=_request_kind(record),
                    reference=record.reference,
                    url=reverse("request-detail", args=[KIND_SLUGS[type(record)], record.pk]),
                    what=_owed(record),
                    due_at=record.due_at,
                    overdue=record.overdue,
                    court=record.requesting_court.short_name,
                    detail=record.case.number,
                    state=str(record.get_state_display()),
                )
            )
    if asks:
        results = sorted(inbox["to_acknowledge"], key=lambda record: record.reported_at or record.created_at)
        for record in results:
            result = request_result(record) if isinstance(record, ServiceRequest) else ""
            work.back.append(
                WorkItem(
                    kind=_request_kind(record),
                    reference=record.reference,
                    url=reverse("request-detail", args=[KIND_SLUGS[type(record)], record.pk]),
                    what=_("%(result)s: acknowledge the result")
                    % {"result": result or record.get_state_display()},
                    due_at=record.reported_at,
                    court=record.entrusted_court.short_name,
                    detail=record.case.number,
                    state=str(record.get_state_display()),
                )
            )
    return work
