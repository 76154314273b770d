"""Pages for clerks: file at the window, the receiving court's inbox, a filing's page with its actions, the
receipt, and the case page. Every page starts from cases.selectors and calls the same services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases import permissions, selectors
from cases.documents import keep_code_for_print
from cases.filters import CaseFilter, FilingFilter
from cases.forms.filings import (
    AttachmentForm,
    CorrectionForm,
    FilingForm,
    OptionalReasonForm,
    PartyFormSet,
    ReasonForm,
    RegisterForm,
    ResubmitForm,
    attach_service_errors,
)
from cases.models import Case, Filing, Party
from cases.services import filings as services
from cases.services.parties import PartyInput, clean_parties
from courts import query_codes
from courts.errors import ActionForbidden, TransitionNotAllowed
from courts.forms import all_valid
from courts.links import links_for
from courts.login_throttle import client_address
from courts.page_actions import post_action
from courts.personal_data import personal_data_access_log, unseal
from courts.selectors import acting_court
from courts.timeline import record_and_timeline, timeline_of

QUERY_CODE_SESSION_KEY = "query-code:{}"


def _filing_or_404(request, filing_id: int) -> Filing:
    try:
        return selectors.filing_detail(request.user, filing_id)
    except Filing.DoesNotExist:
        raise Http404 from None


@login_required
def filing_new(request):
    if not permissions.may_file(request.user):
        raise PermissionDenied
    court = acting_court(request.user)
    form = FilingForm(request.POST or None, court=court)
    parties = PartyFormSet(
        request.POST or None,
        prefix="parties",
        initial=[{"role": "plaintiff", "kind": "person"}, {"role": "defendant"}],
    )
    # Both validated, whatever the first says: every error shows in one round (issue 14).
    if request.method == "POST" and all_valid(form, parties):
        filled = [party for party in parties.forms if party.cleaned_data]
        try:
            filing, query_code = services.filing_submit(
                actor=request.user,
                jurisdiction_court=form.cleaned_data["jurisdiction_court"],
                category=form.cleaned_data["category"],
                cause=form.cleaned_data["cause"],
                claim_amount=form.cleaned_data["claim_amount"],
                parties=[PartyInput(**party.cleaned_data) for party in filled],
                materials=form.materials_list(),
                e_service_consent=form.cleaned_data["e_service_consent"],
                pre_mediation_consent=form.cleaned_data["pre_mediation_consent"],
            )
        except ValidationError as error:
            attach_service_errors(error, form, parties, filled)
        else:
            # Shown once, on the receipt; only its hash is kept.
            query_codes.keep_for_one_page(
                request.session, QUERY_CODE_SESSION_KEY.format(filing.pk), query_code
            )
            messages.success(
                request, _("Filed and sent to %(court)s.") % {"court": filing.jurisdiction_court.name}
            )
            return redirect("filing-receipt", filing.pk)
    elif request.method == "POST" and parties.is_valid():
        # The case's own fields failed, so the service was not asked: check the parties as it would (ID
        # numbers, a plaintiff and a defendant), so their errors show in this round too.
        filled = [party for party in parties.forms if party.cleaned_data]
        party_errors = clean_parties([PartyInput(**party.cleaned_data) for party in filled])
        if party_errors:
            attach_service_errors(ValidationError(party_errors), form, parties, filled)
    return render(request, "cases/filing_form.html", {"form": form, "parties": parties, "court": court})


@require_safe
@login_required
def filing_receipt(request, filing_id: int):
    """The materials receipt (诉讼材料收据), printable; shows the query code the one time it is in clear."""
    filing = _filing_or_404(request, filing_id)
    query_code = query_codes.take_for_one_page(request.session, QUERY_CODE_SESSION_KEY.format(filing.pk))
    if query_code:
        keep_code_for_print(request.session, filing.pk, query_code)  # for the PDF's one print
    return render(
        request,
        "cases/receipt.html",
        {
            "filing": filing,
            "query_code": query_code,
            "may_reissue": permissions.may_act_for_litigant(request.user, filing),
            "lookup_locks": services.filing_lookup_locks(filing),
        },
    )


@login_required
@post_action("filing-detail", "filing_id")
def filing_reissue_code(request, filing_id: int):
    filing = _filing_or_404(request, filing_id)
    try:
        _filing, query_code = services.filing_reissue_query_code(filing_id=filing.pk, actor=request.user)
    except ActionForbidden as refusal:
        messages.error(request, str(refusal))
        return redirect("filing-detail", filing.pk)
    query_codes.keep_for_one_page(request.session, QUERY_CODE_SESSION_KEY.format(filing.pk), query_code)
    messages.success(request, _("A new query code was issued; the old one no longer works."))
    return redirect("filing-receipt", filing.pk)


@login_required
@post_action("filing-receipt", "filing_id")
def filing_lift_lock(request, filing_id: int):
    """The status lookup was locked after wrong query codes; the clerk has checked the litigant's identity."""
    filing = _filing_or_404(request, filing_id)
    try:
        services.filing_lift_lookup_lock(filing_id=filing.pk, actor=request.user)
    except ActionForbidden as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The status lookup is unlocked."))
    return redirect("filing-receipt", filing.pk)


@require_safe
@login_required
def filing_list(request):
    filters = FilingFilter(request.GET, queryset=selectors.filing_list(request.user), request=request)
    page = Paginator(filters.qs, 50).get_page(request.GET.get("page"))
    return render(request, "cases/filing_list.html", {"form": filters.form, "page": page})


def _detail_context(request, filing: Filing, **extra) -> dict:
    actions = permissions.allowed_actions(request.user, filing)
    return {
        "filing": filing,
        "actions": actions,
        "timeline": timeline_of(filing),
        "correction_form": CorrectionForm(),
        "resubmit_form": ResubmitForm(),
        "reason_form": ReasonForm(),
        "note_form": OptionalReasonForm(),
        "register_form": RegisterForm(court=filing.jurisdiction_court),
        "attachment_form": AttachmentForm(),
        "may_attach": permissions.may_attach(request.user, filing),
        "may_reissue": permissions.may_act_for_litigant(request.user, filing),
        "lookup_locks": services.filing_lookup_locks(filing),
        "revealable": _revealable(request.user, filing.parties.all()),
        "revealed": {},
        "links": links_for(filing, request.user),
        **extra,
    }


def _revealable(user, parties) -> set[int]:
    return {party.pk for party in parties if permissions.may_see_identity(user, party)}


@require_safe
@login_required
def filing_detail(request, filing_id: int):
    filing, timeline = record_and_timeline(lambda: _filing_or_404(request, filing_id))
    return render(request, "cases/filing_detail.html", _detail_context(request, filing, timeline=timeline))


# Each action a page can post: its form, and the name its form has in the page's context.
ACTION_FORMS = {
    "register": (RegisterForm, "register_form"),
    "request_correction": (CorrectionForm, "correction_form"),
    "resubmit": (ResubmitForm, "resubmit_form"),
    "divert_to_mediation": (OptionalReasonForm, "note_form"),
    "refuse": (ReasonForm, "reason_form"),
    "withdraw": (OptionalReasonForm, "note_form"),
}


def _run_action(request, action: str, filing: Filing, form) -> str:
    data = form.cleaned_data
    if action == "register":
        case = services.filing_register(filing_id=filing.pk, actor=request.user, tribunal=data["tribunal"])
        return _("Registered as %(number)s.") % {"number": case.number}
    if action == "request_correction":
        services.filing_request_correction(
            filing_id=filing.pk, actor=request.user, items=form.items_list(), deadline=data["deadline"]
        )
        return _("The correction request was sent to the filing window.")
    if action == "resubmit":
        services.filing_resubmit(
            filing_id=filing.pk, actor=request.user, materials_added=form.materials_list(), note=data["note"]
        )
        return _("The corrected filing was sent.")
    if action == "divert_to_mediation":
        services.filing_divert_to_mediation(filing_id=filing.pk, actor=request.user, note=data["reason"])
        return _("Diverted to pre-filing mediation.")
    if action == "refuse":
        services.filing_refuse(filing_id=filing.pk, actor=request.user, reason=data["reason"])
        return _("Not accepted; the filing window has been told.")
    services.filing_withdraw(filing_id=filing.pk, actor=request.user, reason=data["reason"])
    return _("The filing was withdrawn.")


@login_required
@post_action("filing-detail", "filing_id")
def filing_action(request, filing_id: int, action: str):
    """POST /filings/<id>/<action>/, the action spelled as in the API (`request-correction`)."""
    filing = _filing_or_404(request, filing_id)
    action = action.replace("-", "_")
    if action not in ACTION_FORMS:
        raise Http404
    form_class, form_name = ACTION_FORMS[action]
    if form_class is RegisterForm:
        form = form_class(request.POST, court=filing.jurisdiction_court)
    else:
        form = form_class(request.POST)
    if form.is_valid():
        try:
            messages.success(request, _run_action(request, action, filing, form))
            return redirect("filing-detail", filing.pk)
        except (TransitionNotAllowed, ActionForbidden) as refusal:
            messages.error(request, str(refusal))
            return redirect("filing-detail", filing.pk)
        except ValidationError as error:
            attach_service_errors(error, form)
    context = _detail_context(request, filing, **{form_name: form, "open_action": action})
    return render(request, "cases/filing_detail.html", context, status=400)


@login_required
@post_action("filing-detail", "filing_id")
def filing_attach(request, filing_id: int):
    filing = _filing_or_404(request, filing_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.filing_attach(filing_id=filing.pk, actor=request.user, upload=form.cleaned_data["file"])
            messages.success(request, _("The scan was attached."))
            return redirect("filing-detail", filing.pk)
        except ActionForbidden as refusal:
            messages.error(request, str(refusal))
            return redirect("filing-detail", filing.pk)
        except ValidationError as error:
            form.add_error("file", error)
    return render(
        request,
        "cases/filing_detail.html",
        _detail_context(request, filing, attachment_form=form),
        status=400,
    )


@never_cache  # a page with real ID numbers must not sit in a browser's cache
@login_required
def party_reveal(request, party_id: int):
    """Show one party's real ID number and phone on its record's page, and log that it was seen. A GET (a
    reload of that page) goes back to the record's page, masked."""
    try:
        party = selectors.parties_visible_to(request.user).select_related("filing", "case").get(pk=party_id)
    except Party.DoesNotExist:
        raise Http404 from None
    on_filing = (
        party.filing_id and selectors.filings_visible_to(request.user).filter(pk=party.filing_id).exists()
    )
    if request.method != "POST":
        return (
            redirect("filing-detail", party.filing_id)
            if on_filing
            else redirect("case-detail", party.case_id)
        )
    if not permissions.may_see_identity(request.user, party):
        raise PermissionDenied
    personal_data_access_log(
        user=request.user,
        subject=party,
        fields=["id_number", "phone"],
        purpose="page",
        address=client_address(request),
    )
    revealed = {party.pk: {"id_number": unseal(party.id_number_cipher), "phone": unseal(party.phone_cipher)}}
    if on_filing:
        filing = selectors.filing_detail(request.user, party.filing_id)
        return render(
            request, "cases/filing_detail.html", _detail_context(request, filing, revealed=revealed)
        )
    case = selectors.case_detail(request.user, party.case_id)
    return render(request, "cases/case_detail.html", _case_context(request, case, revealed=revealed))


@require_safe
@login_required
def case_list(request):
    filters = CaseFilter(request.GET, queryset=selectors.case_list(request.user), request=request)
    page = Paginator(filters.qs, 50).get_page(request.GET.get("page"))
    return render(request, "cases/case_list.html", {"form": filters.form, "page": page})


def _case_context(request, case: Case, **extra) -> dict:
    return {
        "case": case,
        "timeline": selectors.case_timeline(request.user, case),
        "revealable": _revealable(request.user, case.parties.all()),
        "revealed": {},
        "links": links_for(case, request.user),
        **extra,
    }


@require_safe
@login_required
def case_detail(request, case_id: int):
    try:
        case = selectors.case_detail(request.user, case_id)
    except Case.DoesNotExist:
        raise Http404 from None
    return render(request, "cases/case_detail.html", _case_context(request, case))
