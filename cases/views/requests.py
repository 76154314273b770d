"""Pages for requests between courts (委托送达, 委托保全): asking from a case's page, the list of both kinds,
a request's page with what the user may do to it, and the home page's panel of requests. Every page starts
from cases.selectors (another court's request is a 404) and calls the same services as the API."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases import permissions, selectors
from cases.filters import RequestFilter
from cases.forms.requests import (
    ActionForm,
    AttemptForm,
    CancelForm,
    DocumentFormSet,
    FailureForm,
    MeasureFormSet,
    PreservationRequestForm,
    RequestAttachmentForm,
    ReturnForm,
    ServiceRequestForm,
    attach_request_errors,
    measure_results_formset,
)
from cases.models import Case, PreservationRequest, ServiceRequest
from cases.services import requests as common
from cases.services.preservation_requests import (
    MeasureInput,
    MeasureResult,
    measure_accounts_shown,
    preservation_request_create,
)
from cases.services.preservation_requests import preservation_request_report as report_preservation
from cases.services.service_requests import (
    AttemptInput,
    DocumentInput,
    service_request_create,
    service_request_report_attempt,
    service_request_report_failure,
)
from courts.errors import ActionForbidden, TransitionNotAllowed
from courts.forms import all_valid
from courts.login_throttle import client_address
from courts.page_actions import post_action
from courts.personal_data import personal_data_access_log, unseal
from courts.timeline import record_and_timeline, timeline_of

KINDS = {"service": ServiceRequest, "preservation": PreservationRequest}
SLUGS = {model: slug for slug, model in KINDS.items()}
PAGE_SIZE = 50
# The actions a request's page can post, spelled as in the API, and their names in permissions.REQUEST_ACTIONS
# ("report" is the final failure of a service request, and the measures' results of a preservation request).
PAGE_ACTIONS = {
    ServiceRequest: {
        "accept": "accept",
        "report-attempt": "report_attempt",
        "report": "report",
        "return": "return",
        "cancel": "cancel",
        "acknowledge": "acknowledge",
    },
    PreservationRequest: {
        "accept": "accept",
        "report": "report",
        "return": "return",
        "cancel": "cancel",
        "acknowledge": "acknowledge",
    },
}


class RequestKindConverter:
    """`<kind:kind>` in the URLs: service or preservation, anything else is not a page (404)."""

    regex = "service|preservation"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def _case_or_404(request, case_id: int) -> Case:
    try:
        return selectors.case_detail(request.user, case_id)
    except Case.DoesNotExist:
        raise Http404 from None


def _request_or_404(request, kind: str, request_id: int):
    model = KINDS[kind]
    try:
        return selectors.request_detail(request.user, model, request_id)
    except model.DoesNotExist:
        raise Http404 from None


def _party(record):
    return record.recipient if isinstance(record, ServiceRequest) else record.respondent


def _filled(formset) -> list:
    """The formset's forms that carry something, in order: what the service receives and its errors index."""
    return [form for form in formset.forms if form.cleaned_data]


# --- Asking another court, from a case's page --------------------------------------------------------------


def _attach_files(request, record, uploads, attempt_id: int | None = None) -> None:
    """Files chosen with a form, stored once the request or attempt exists (each checked again on storing)."""
    model = type(record)
    for upload in uploads:
        try:
            common.request_attach(
                model, request_id=record.pk, actor=request.user, upload=upload, attempt_id=attempt_id
            )
        except (ValidationError, ActionForbidden) as refusal:
            text = "; ".join(getattr(refusal, "messages", [str(refusal)]))
            messages.warning(
                request, _("%(name)s was not attached: %(reason)s") % {"name": upload.name, "reason": text}
            )


@login_required
def service_request_new(request, case_id: int):
    case = _case_or_404(request, case_id)
    if not permissions.may_request(request.user, case):
        raise PermissionDenied
    form = ServiceRequestForm(request.POST or None, request.FILES or None, case=case)
    documents = DocumentFormSet(request.POST or None, prefix="documents")
    if request.method == "POST" and all_valid(form, documents):
        filled = _filled(documents)
        try:
            record = service_request_create(
                actor=request.user,
                case=case,
                entrusted_court=form.cleaned_data["entrusted_court"],
                recipient=form.cleaned_data["recipient"],
                address=form.cleaned_data["address"],
                method=form.cleaned_data["method"],
                letter_number=form.cleaned_data["letter_number"],
                documents=[DocumentInput(**document.cleaned_data) for document in filled],
            )
        except (ValidationError, ActionForbidden) as error:
            if isinstance(error, ActionForbidden):
                raise PermissionDenied from error
            attach_request_errors(error, form, {"documents": (documents, filled)})
        else:
            _attach_files(request, record, form.cleaned_data["files"])
            messages.success(
                request,
                _("Sent to %(court)s as %(reference)s.")
                % {"court": record.entrusted_court.name, "reference": record.reference},
            )
            return redirect("request-detail", "service", record.pk)
    return render(
        request, "cases/requests/service_form.html", {"case": case, "form": form, "documents": documents}
    )


@login_required
def preservation_request_new(request, case_id: int):
    case = _case_or_404(request, case_id)
    if not permissions.may_request(request.user, case):
        raise PermissionDenied
    form = PreservationRequestForm(request.POST or None, case=case)
    measures = MeasureFormSet(request.POST or None, prefix="measures")
    if request.method == "POST" and all_valid(form, measures):
        filled = _filled(measures)
        data = form.cleaned_data
        try:
            record = preservation_request_create(
                actor=request.user,
                case=case,
                entrusted_court=data["entrusted_court"],
                respondent=data["respondent"],
                urgent=data["urgent"],
                stage=data["stage"],
                allowed_amount=data["allowed_amount"],
                ruling_number=data["ruling_number"],
                ruling_date=data["ruling_date"],
                measures=[MeasureInput(**measure.cleaned_data) for measure in filled],
            )
        except (ValidationError, ActionForbidden) as error:
            if isinstance(error, ActionForbidden):
                raise PermissionDenied from error
            attach_request_errors(error, form, {"measures": (measures, filled)})
        else:
            messages.success(
                request,
                _("Sent to %(court)s as %(reference)s.")
                % {"court": record.entrusted_court.name, "reference": record.reference},
            )
            return redirect("request-detail", "preservation", record.pk)
    return render(
        request, "cases/requests/preservation_form.html", {"case": case, "form": form, "measures": measures}
    )


# --- The list and the home page's panel --------------------------------------------------------------------


@require_safe
@login_required
def request_list(request):
    """Both kinds, each in its own section with pages of 50, most urgent first (selectors.request_list),
    filtered by cases.filters.RequestFilter."""
    # The page's form, and which sections it shows; each section filters its own kind with the same data.
    asked = RequestFilter(request.GET, queryset=ServiceRequest.objects.none(), request=request)
    sections = []
    for kind in asked.kinds():
        model = KINDS[kind]
        listed = selectors.request_list(request.user, model)
        if model is PreservationRequest:
            listed = listed.prefetch_related("measures")  # the result column sums what was preserved
        filters = RequestFilter(request.GET, queryset=listed, request=request)
        param = f"{kind}_page"
        page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get(param))
        sections.append({"kind": kind, "page": page, "param": param})
    return render(request, "cases/requests/list.html", {"form": asked.form, "sections": sections})


# --- A request's page --------------------------------------------------------------------------------------


def allowed_actions(user, record) -> list[str]:
    return permissions.allowed_request_actions(user, record, common.TRANSITIONS[type(record)])


def _detail_context(request, record, **extra) -> dict:
    user = request.user
    party = _party(record)
    actions = allowed_actions(user, record)
    attachments = list(record.attachments.all())
    prefetch_related_objects(attachments, "uploaded_by")
    context = {
        "record": record,
        "kind": SLUGS[type(record)],
        "party": party,
        "actions": actions,
        "timeline": timeline_of(record),
        "attachments": [attachment for attachment in attachments if attachment.attempt_id is None],
        "may_attach": permissions.may_attach_to_request(user, record),
        "attachment_form": RequestAttachmentForm(
            request=record, with_attempts=permissions.may_handle(user, record)
        ),
        "return_form": ReturnForm(),
        "cancel_form": CancelForm(),
        "accept_form": ActionForm(),
        "may_reveal": bool(party.id_number_masked or party.phone_masked)
        and permissions.may_see_identity(user, party),
        "revealed": None,
        "open_action": "",
    }
    if isinstance(record, ServiceRequest):
        photos = defaultdict(list)
        for attachment in attachments:
            if attachment.attempt_id is not None:
                photos[attachment.attempt_id].append(attachment)
        attempts = list(record.attempts.all())
        for attempt in attempts:
            attempt.photos = photos[attempt.pk]
        now = timezone.localtime()
        context |= {
            "attempts": attempts,
            "attempt_form": AttemptForm(
                initial={"method": record.method, "place": record.address, "served_at": now.replace(second=0)}
            ),
            "failure_form": FailureForm(),
        }
    else:
        measures = list(record.measures.all())
        results = extra.pop("results", None)  # a report posted with errors comes back bound
        if results is None and "report" in actions:
            results = measure_results_formset(record, measures=measures)
        accounts = measure_accounts_shown(
            user=user, request=record, measures=measures, address=client_address(request)
        )
        targets = [form.target for form in results.forms if form.target] if results else []
        for measure in (*measures, *targets):
            measure.account_shown = accounts[measure.pk]
        context |= {
            "measures": measures,
            "preserved": sum((m.amount_done for m in measures if m.amount_done), 0),
            "results": results,
        }
    context.update(extra)
    return context


def _render_detail(request, record, status: int = 200, **extra):
    template = f"cases/requests/{SLUGS[type(record)]}_detail.html"
    return render(request, template, _detail_context(request, record, **extra), status=status)


@require_safe
@login_required
def request_detail(request, kind: str, request_id: int):
    record, timeline = record_and_timeline(lambda: _request_or_404(request, kind, request_id))
    return _render_detail(request, record, timeline=timeline)


def _action_form(record, action: str, data, files):
    """The bound form an action posts, and its name in the page's context."""
    if action in ("accept", "acknowledge"):
        return ActionForm(data), "accept_form"
    if action == "report_attempt":
        return AttemptForm(data, files), "attempt_form"
    if action == "report" and isinstance(record, ServiceRequest):
        return FailureForm(data), "failure_form"
    if action == "report":
        return measure_results_formset(record, data), "results"
    if action == "return":
        return ReturnForm(data), "return_form"
    return CancelForm(data), "cancel_form"


def _run_action(request, record, action: str, form) -> str:
    """Call the service for `action`; returns the message to show."""
    model, actor, pk = type(record), request.user, record.pk
    if action == "accept":
        common.request_accept(model, request_id=pk, actor=actor)
        return _("Accepted: you are the officer in charge of %(reference)s.") % {
            "reference": record.reference
        }
    if action == "acknowledge":
        common.request_acknowledge(model, request_id=pk, actor=actor)
        return _("Acknowledged: the request is closed.")
    if action == "return":
        common.request_return(model, request_id=pk, actor=actor, reason=form.cleaned_data["reason"])
        return _("Returned to %(court)s with your reasons.") % {"court": record.requesting_court.name}
    if action == "cancel":
        common.request_cancel(model, request_id=pk, actor=actor, reason=form.cleaned_data["reason"])
        return _("Cancelled; %(court)s has been told.") % {"court": record.entrusted_court.name}
    if action == "report_attempt":
        data = dict(form.cleaned_data)
        photos = data.pop("photos")
        attempt = service_request_report_attempt(request_id=pk, actor=actor, attempt=AttemptInput(**data))
        _attach_files(request, record, photos, attempt_id=attempt.pk)
        if attempt.result == attempt.Result.SERVED:
            return _("Served on %(date)s; %(court)s has been told.") % {
                "date": attempt.served_on.isoformat(),
                "court": record.requesting_court.name,
            }
        return _("The failed attempt was reported to %(court)s; the request stays open.") % {
            "court": record.requesting_court.name
        }
    if model is ServiceRequest:
        service_request_report_failure(
            request_id=pk,
            actor=actor,
            reason=form.cleaned_data["reason"],
            remarks=form.cleaned_data["remarks"],
        )
        return _("Reported as not served; %(court)s has been told.") % {"court": record.requesting_court.name}
    results = [MeasureResult(**measure.cleaned_data) for measure in _filled(form)]
    done = report_preservation(request_id=pk, actor=actor, results=results)
    return _("The results were reported (%(state)s); %(court)s has been told.") % {
        "state": done.get_state_display(),
        "court": record.requesting_court.name,
    }


@login_required
@post_action("request-detail", "kind", "request_id")
def request_action(request, kind: str, request_id: int, action: str):
    """POST /requests/<kind>/<id>/<action>/, as cases.views.filings.filing_action: a refusal is a message and
    back to the page; bad input is the page again with the errors on the form (400)."""
    record = _request_or_404(request, kind, request_id)
    action = PAGE_ACTIONS[type(record)].get(action)
    if action is None:
        raise Http404
    form, form_name = _action_form(record, action, request.POST, request.FILES)
    if form.is_valid():
        try:
            messages.success(request, _run_action(request, record, action, form))
            return redirect("request-detail", kind, record.pk)
        except (TransitionNotAllowed, ActionForbidden) as refusal:
            messages.error(request, str(refusal))
            return redirect("request-detail", kind, record.pk)
        except ValidationError as error:
            lists = {"measures": (form, _filled(form))} if form_name == "results" else None
            attach_request_errors(error, form, lists)
    return _render_detail(request, record, status=400, **{form_name: form, "open_action": action})


@login_required
@post_action("request-detail", "kind", "request_id")
def request_attach(request, kind: str, request_id: int):
    record = _request_or_404(request, kind, request_id)
    form = RequestAttachmentForm(
        request.POST,
        request.FILES,
        request=record,
        with_attempts=permissions.may_handle(request.user, record),
    )
    if form.is_valid():
        attempt = form.cleaned_data.get("attempt")
        try:
            common.request_attach(
                type(record),
                request_id=record.pk,
                actor=request.user,
                upload=form.cleaned_data["file"],
                attempt_id=attempt.pk if attempt else None,
            )
            messages.success(request, _("The scan was attached."))
            return redirect("request-detail", kind, record.pk)
        except ActionForbidden as refusal:
            messages.error(request, str(refusal))
            return redirect("request-detail", kind, record.pk)
        except ValidationError as error:
            attach_request_errors(error, form)
    return _render_detail(request, record, status=400, attachment_form=form)


@login_required
def request_attachment_file(request, kind: str, request_id: int, attachment_id: int):
    record = _request_or_404(request, kind, request_id)
    attachment = next((a for a in record.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, filename=attachment.original_name
    )


@never_cache  # a page with a real ID number must not sit in a browser's cache
@login_required
@post_action("request-detail", "kind", "request_id")
def request_reveal(request, kind: str, request_id: int):
    """The recipient's or respondent's real ID number and phone, for the officers who must find them."""
    record = _request_or_404(request, kind, request_id)
    party = _party(record)
    if not permissions.may_see_identity(request.user, party):
        raise PermissionDenied
    personal_data_access_log(
        user=request.user,
        subject=party,
        fields=["id_number", "phone"],
        purpose="page",
        address=client_address(request),
    )
    revealed = {"id_number": unseal(party.id_number_cipher), "phone": unseal(party.phone_cipher)}
    return _render_detail(request, record, revealed=revealed)
