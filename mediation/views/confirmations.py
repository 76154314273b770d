"""Pages of judicial confirmation (司法确认): the list of applications the user's court sees, and an
application's page with the court's actions (register, ask for supplements, confirm, reject, not accept,
withdraw, start enforcement). Every page starts from mediation.selectors and calls the same services as the
API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases.forms.requests import attach_request_errors
from cases.selectors import cases_visible_to, filings_visible_to
from courts.errors import ActionForbidden, TransitionNotAllowed
from courts.models import Court
from courts.page_actions import post_action
from courts.timeline import timeline_of
from mediation import permissions, selectors
from mediation.filters import ConfirmationFilter
from mediation.forms.confirmations import (
    ActionForm,
    GroundsForm,
    SupplementForm,
    WithdrawForm,
)
from mediation.models import Confirmation
from mediation.services import confirmations as services
from mediation.views.mediations import distinct_ids, elapsed_shown

PAGE_SIZE = 50
# The page's actions, spelled as in the API, and their names in permissions.CONFIRMATION_ACTIONS.
PAGE_ACTIONS = {
    "register": "register",
    "request-supplement": "request_supplement",
    "confirm": "confirm",
    "reject": "reject",
    "not-accept": "not_accept",
    "withdraw": "withdraw",
    "start-enforcement": "start_enforcement",
}
FORMS = {
    "register": (ActionForm, "register_form"),
    "request_supplement": (SupplementForm, "supplement_form"),
    "confirm": (ActionForm, "confirm_form"),
    "reject": (GroundsForm, "reject_form"),
    "not_accept": (GroundsForm, "not_accept_form"),
    "withdraw": (WithdrawForm, "withdraw_form"),
    "start_enforcement": (ActionForm, "enforcement_form"),
}


def _confirmation_or_404(request, confirmation_id: int) -> Confirmation:
    try:
        return selectors.confirmation_detail(request.user, confirmation_id)
    except Confirmation.DoesNotExist:
        raise Http404 from None


@require_safe
@login_required
def confirmation_list(request):
    filters = ConfirmationFilter(
        request.GET, queryset=selectors.confirmation_list(request.user), request=request
    )
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mediation/confirmation_list.html", {"form": filters.form, "page": page})


def _context(request, confirmation: Confirmation, **extra) -> dict:
    user = request.user
    actions = permissions.allowed_confirmation_actions(user, confirmation)
    competent = {court.code: court for court in Court.objects.filter(code__in=confirmation.competent_courts)}
    context = {
        "confirmation": confirmation,
        "mediation": confirmation.mediation,
        "agreement": confirmation.agreement,
        "applicants": list(confirmation.applicants.all()),
        "competent_courts": [competent[code] for code in confirmation.competent_courts if code in competent],
        "actions": actions,
        "elapsed": elapsed_shown(confirmation.mediation, confirmation),
        "timeline": timeline_of(confirmation),
        "case_visible": bool(confirmation.case_id)
        and cases_visible_to(user).filter(pk=confirmation.case_id).exists(),
        "enforcement_visible": bool(confirmation.enforcement_filing_id)
        and filings_visible_to(user).filter(pk=confirmation.enforcement_filing_id).exists(),
        "open_action": "",
    }
    for name in actions:
        form_class, form_name = FORMS[name]
        context[form_name] = form_class()
    context.update(extra)
    distinct_ids(context)
    return context


@require_safe
@login_required
def confirmation_detail(request, confirmation_id: int):
    confirmation = _confirmation_or_404(request, confirmation_id)
    return render(request, "mediation/confirmation_detail.html", _context(request, confirmation))


def _run(request, confirmation: Confirmation, action: str, form) -> str:
    user, pk, data = request.user, confirmation.pk, form.cleaned_data
    if action == "register":
        registered = services.confirmation_register(confirmation_id=pk, actor=user)
        return _("Registered as %(number)s; the ruling is due within 30 days (CPL 187).") % {
            "number": registered.case.number
        }
    if action == "request_supplement":
        services.confirmation_request_supplement(
            confirmation_id=pk, actor=user, items=form.items_list(), deadline=data["deadline"]
        )
        return _("The applicants were asked to supplement by %(date)s.") % {
            "date": data["deadline"].isoformat()
        }
    if action == "confirm":
        services.confirmation_confirm(confirmation_id=pk, actor=user)
        return _("Confirmed: the agreement is valid and enforceable (CPL 206).")
    if action == "reject":
        services.confirmation_reject(confirmation_id=pk, actor=user, grounds=data["grounds"])
        return _("The application was rejected (Interp 358).")
    if action == "not_accept":
        services.confirmation_not_accept(confirmation_id=pk, actor=user, grounds=data["grounds"])
        return _("The application was not accepted (Interp 355).")
    if action == "withdraw":
        services.confirmation_withdraw(confirmation_id=pk, actor=user, reason=data["reason"])
        return _("Recorded: the applicants withdrew.")
    filing = services.confirmation_start_enforcement(confirmation_id=pk, actor=user)
    return _("Enforcement applied for: filing %(receipt)s, in %(court)s's inbox.") % {
        "receipt": filing.receipt_number,
        "court": confirmation.court.name,
    }


@login_required
@post_action("confirmation-detail", "confirmation_id")
def confirmation_action(request, confirmation_id: int, action: str):
    """POST /confirmations/<id>/<action>/: a refusal is a message and back to the page; bad input is the
    page again with the errors on the form (400)."""
    confirmation = _confirmation_or_404(request, confirmation_id)
    name = PAGE_ACTIONS.get(action)
    if name is None:
        raise Http404
    form_class, form_name = FORMS[name]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            messages.success(request, _run(request, confirmation, name, form))
            return redirect("confirmation-detail", confirmation.pk)
        except (TransitionNotAllowed, ActionForbidden) as refusal:
            messages.error(request, str(refusal))
            return redirect("confirmation-detail", confirmation.pk)
        except ValidationError as error:
            attach_request_errors(error, form)
    context = _context(request, confirmation, **{form_name: form, "open_action": name})
    return render(request, "mediation/confirmation_detail.html", context, status=400)
