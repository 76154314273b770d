"""Pages for tribunal judges: my mediations, invitations waiting for my answer, opening a mediation, a
mediation's page with its actions. Every page starts from mediation.selectors (a court with no part in a
mediation gets 404) and calls the same services as the API; a refusal is a message and back to the page, bad
input is the page again with the errors on the form (400), and every successful POST redirects."""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases.forms.filings import PartyFormSet
from cases.forms.requests import attach_request_errors
from cases.models import Filing
from cases.selectors import cases_visible_to, filings_visible_to
from cases.services.parties import PartyInput
from courts import query_codes
from courts.errors import ActionForbidden, TransitionNotAllowed
from courts.login_throttle import client_address
from courts.page_actions import post_action
from courts.personal_data import personal_data_access_log, unseal
from courts.text import join_list
from mediation import permissions, selectors
from mediation.elapsed import days_and_hours, elapsed_for
from mediation.filters import MediationListFilter
from mediation.forms.mediations import (
    AcceptForm,
    ActionForm,
    AgreementForm,
    ApplyForm,
    CancelInvitationForm,
    DeclineForm,
    ExtendForm,
    InviteForm,
    MediationForm,
    NoteForm,
    PaymentFormSet,
    ReasonForm,
    judges_of,
    signature_formset,
)
from mediation.forms.sessions import RecordForm, RescheduleForm, ScheduleForm, SessionCancelForm
from mediation.models import (
    MEDIATION_OPEN,
    MEDIATION_RUNNING,
    Agreement,
    Invitation,
    Mediation,
    MediationSession,
)
from mediation.services import agreements, confirmations, mediations, sessions
from mediation.services.agreements import PaymentInput, SignatureInput

QUERY_CODE_SESSION_KEY = "mediation-query-code:{}"
PAGE_SIZE = 50


def _mediation_or_404(request, mediation_id: int) -> Mediation:
    try:
        return selectors.mediation_detail(request.user, mediation_id)
    except Mediation.DoesNotExist:
        raise Http404 from None


def _filled(formset) -> list:
    """The formset's forms that carry something, in order: what the service receives and its errors index."""
    return [form for form in formset.forms if form.cleaned_data]


def _next_session_at():
    upcoming = MediationSession.objects.filter(
        mediation=OuterRef("pk"), state=MediationSession.State.SCHEDULED, starts_at__gte=timezone.now()
    ).order_by("starts_at")
    return Subquery(upcoming.values("starts_at")[:1])


def elapsed_shown(mediation: Mediation, confirmation=None) -> dict:
    """Complaint to ruling (mediation.elapsed), in days and hours, and each step's share in percent."""
    elapsed = elapsed_for(mediation, confirmation)
    days, hours = days_and_hours(elapsed.seconds)
    steps = []
    for step in elapsed.steps:
        step_days, step_hours = days_and_hours(step.seconds)
        steps.append(
            {
                "key": step.key,
                "label": step.label,
                "started_at": step.started_at,
                "ended_at": step.ended_at,
                "days": step_days,
                "hours": step_hours,
                "percent": round(step.share * 100),
            }
        )
    return {
        "started_at": elapsed.started_at,
        "ended_at": elapsed.ended_at,
        "finished": elapsed.finished,
        "days": days,
        "hours": hours,
        "steps": steps,
    }


# --- The home page's panel -----------------------------------------------------------------------------


# --- Lists ----------------------------------------------------------------------------------------------


@require_safe
@login_required
def mediation_list(request):
    """My mediations (led or accepted by my tribunal; for judges by default) or all my court takes part in,
    open ones first."""
    user = request.user
    listed = selectors.mediation_list(user).annotate(next_session_at=_next_session_at())
    filters = MediationListFilter(request.GET, queryset=listed, request=request)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mediation/list.html",
        {"form": filters.form, "page": page, "may_open": permissions.may_open_any(user)},
    )


@require_safe
@login_required
def invitation_list(request):
    """Invitations waiting for my tribunal's answer, soonest due first, each answerable here."""
    user = request.user
    invitations = list(selectors.invitations_waiting_for(user))
    judges = list(judges_of(user.tribunal_id)) if invitations else []
    rows = [
        {
            "invitation": invitation,
            "accept_form": AcceptForm(invitation=invitation, user=user, judges=judges),
            "decline_form": DeclineForm(invitation=invitation),
        }
        for invitation in invitations
        if permissions.may_answer(user, invitation)
    ]
    return render(request, "mediation/invitations.html", {"rows": rows, "now": timezone.now()})


# --- Opening a mediation ---------------------------------------------------------------------------------


def _posted_id(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


def _origin_record(request, source):
    """The diverted filing (?filing=) or case (?case=) a mediation is opened from, as the user sees it."""
    filing_id, case_id = _posted_id(source.get("filing")), _posted_id(source.get("case"))
    if filing_id:
        filing = (
            filings_visible_to(request.user)
            .select_related("jurisdiction_court", "collaborating_court")
            .prefetch_related("parties")
            .filter(pk=filing_id)
            .first()
        )
        if filing is None:
            raise Http404
        return filing
    if case_id:
        case = (
            cases_visible_to(request.user)
            .select_related("court")
            .prefetch_related("parties")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise Http404
        return case
    return None


@login_required
def mediation_new(request):
    """Open a mediation led by the judge's own tribunal: from a diverted filing, a case, or parties entered
    here. The query code is shown once, on the mediation's page."""
    user = request.user
    if not permissions.may_open_any(user):
        raise PermissionDenied
    lead_tribunal = user.tribunal
    source = request.POST if request.method == "POST" else request.GET
    record = _origin_record(request, source)
    is_filing = isinstance(record, Filing)
    form = MediationForm(
        request.POST or None,
        lead_tribunal=lead_tribunal,
        record=record,
        initial={
            "filing": record.pk if is_filing else None,
            "case": record.pk if record and not is_filing else None,
        },
    )
    parties = None
    if record is None:
        parties = PartyFormSet(
            request.POST or None,
            prefix="parties",
            initial=[{"role": "plaintiff", "kind": "person"}, {"role": "defendant"}],
        )
    if request.method == "POST" and form.is_valid() and (parties is None or parties.is_valid()):
        filled = _filled(parties) if parties is not None else []
        data = form.cleaned_data
        try:
            mediation, query_code = mediations.mediation_open(
                actor=user,
                lead_tribunal=lead_tribunal,
                invited_tribunals=list(data["invited_tribunals"]),
                origin=mediations.Origin(
                    filing_id=record.pk if is_filing else None,
                    case_id=record.pk if record is not None and not is_filing else None,
                    parties=[PartyInput(**party.cleaned_data) for party in filled],
                ),
                consent=data["consent"],
                cause=data.get("cause", ""),
                claim_amount=data.get("claim_amount"),
                jurisdiction_court=data.get("jurisdiction_court"),
                property_court=data["property_court"],
                materials=form.materials_list(),
            )
        except ActionForbidden as refusal:
            raise PermissionDenied from refusal
        except ValidationError as error:
            attach_request_errors(
                error, form, {"parties": (parties, filled)} if parties is not None else None
            )
        else:
            # Shown once, on the mediation's page; only its hash is kept.
            query_codes.keep_for_one_page(
                request.session, QUERY_CODE_SESSION_KEY.format(mediation.pk), query_code
            )
            messages.success(
                request,
                _("Mediation %(number)s opened; the invited tribunals are being told.")
                % {"number": mediation.number},
            )
            return redirect("mediation-detail", mediation.pk)
    diverted = []
    if record is None:
        # Filings the court diverted to pre-filing mediation and nobody mediates yet: one click to start.
        mediated = Mediation.objects.filter(origin_filing__isnull=False).values("origin_filing_id")
        diverted = list(
            filings_visible_to(user)
            .filter(state=Filing.State.DIVERTED_TO_MEDIATION, jurisdiction_court_id=lead_tribunal.court_id)
            .exclude(pk__in=mediated)
            .order_by("-id")[:20]
        )
    return render(
        request,
        "mediation/form.html",
        {
            "form": form,
            "parties": parties,
            "record": record,
            "is_filing": is_filing,
            "lead_tribunal": lead_tribunal,
            "diverted": diverted,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- A mediation's page --------------------------------------------------------------------------------


def answerable_invitation(user, mediation: Mediation) -> Invitation | None:
    """The invitation awaiting the answer of this user's tribunal, if the user may give it."""
    for invitation in mediation.invitations.all():
        if invitation.state == Invitation.State.RECEIVED and permissions.may_answer(user, invitation):
            return invitation
    return None


def _live_confirmation(mediation: Mediation):
    return next(
        (
            confirmation
            for confirmation in mediation.confirmations.all()
            if confirmation.state in ("applied", "supplement_requested", "registered", "confirmed")
        ),
        None,
    )


def _may_apply(user, mediation: Mediation, agreement) -> list:
    """The competent courts, if the parties may now apply through this user; else an empty list."""
    if mediation.state != Mediation.State.AGREED or agreement is None or _live_confirmation(mediation):
        return []
    competent = confirmations.competent_courts(mediation)
    if not any(permissions.may_apply(user, mediation, court) for court in competent):
        return []
    return competent


def _session_forms(user, mediation: Mediation, session_list: list, parties, bound: dict) -> None:
    """Each session's action forms, as `session.forms` ({"reschedule": form, ...}); `bound` holds the one
    posted with errors, by session id."""
    if not permissions.may_run(user, mediation):
        for session in session_list:
            session.forms = {}
        return
    running = permissions.running_tribunal_ids(mediation)
    now = timezone.now()
    for session in session_list:
        forms = {}
        if session.state == MediationSession.State.SCHEDULED:
            if mediation.state in MEDIATION_RUNNING:
                forms["reschedule"] = RescheduleForm(session=session, tribunal_ids=running)
                forms["cancel"] = SessionCancelForm(session=session)
            if session.starts_at <= now:
                forms["record"] = RecordForm(session=session, parties=parties)
        forms.update(bound.get(session.pk, {}))
        session.forms = forms


def detail_context(request, mediation: Mediation, **extra) -> dict:
    user = request.user
    actions = permissions.allowed_mediation_actions(user, mediation)
    parties = list(mediation.parties.all())
    party_ids = mediation.parties.all()  # a queryset for the forms' choices (prefetched rows reused above)
    agreement_list = list(mediation.agreements.all())
    in_force = next((a for a in agreement_list if a.state == Agreement.State.IN_FORCE), None)
    session_list = list(mediation.sessions.all())
    _session_forms(user, mediation, session_list, party_ids, extra.pop("session_forms", {}))
    answering = answerable_invitation(user, mediation)
    competent = _may_apply(user, mediation, in_force)
    context = {
        "mediation": mediation,
        "actions": actions,
        "parties": parties,
        "invitations": list(mediation.invitations.all()),
        "sessions": session_list,
        "agreement": in_force,
        "replaced_agreements": [a for a in agreement_list if a.state != Agreement.State.IN_FORCE],
        "confirmations": list(mediation.confirmations.all()),
        "extensions": list(mediation.extensions.all()),
        "elapsed": elapsed_shown(mediation),
        "timeline": selectors.mediation_timeline(mediation),
        "may_reveal": permissions.may_see_identity(user, mediation),
        "revealed": {},
        "query_code": query_codes.take_for_one_page(
            request.session, QUERY_CODE_SESSION_KEY.format(mediation.pk)
        ),
        "may_act_for_parties": permissions.may_act_for_parties(user, mediation),
        "lookup_locks": mediations.mediation_lookup_locks(mediation),
        "open_action": "",
        "answering": answering,
        "competent_courts": competent,
        "origin_filing_visible": bool(mediation.origin_filing_id)
        and filings_visible_to(user).filter(pk=mediation.origin_filing_id).exists(),
        "origin_case_visible": bool(mediation.origin_case_id)
        and cases_visible_to(user).filter(pk=mediation.origin_case_id).exists(),
        "resulting_filing": (
            filings_visible_to(user).filter(pk=mediation.resulting_filing_id).first()
            if mediation.resulting_filing_id
            else None
        ),
        "is_open": mediation.state in MEDIATION_OPEN,
    }
    if answering is not None:
        judges = list(judges_of(answering.tribunal_id))
        context["accept_form"] = AcceptForm(invitation=answering, user=user, judges=judges)
        context["decline_form"] = DeclineForm(invitation=answering)
    if "invite" in actions:
        context["invite_form"] = InviteForm(mediation=mediation)
    if "cancel_invitation" in actions:
        context["cancel_invitation_form"] = CancelInvitationForm(mediation=mediation)
    if "schedule" in actions:
        context["schedule_form"] = ScheduleForm(
            tribunal_ids=permissions.running_tribunal_ids(mediation),
            mediators=sessions.mediators_of(mediation),
            default_tribunal=user.tribunal_id,
        )
    if "agree" in actions or "replace_agreement" in actions:
        in_force = next(
            (a.pk for a in mediation.agreements.all() if a.state == Agreement.State.IN_FORCE), None
        )
        context["agreement_form"] = AgreementForm(replacing="replace_agreement" in actions, replaces=in_force)
        context["payments"] = PaymentFormSet(prefix="payments")
        context["signatures"] = signature_formset(parties)
    if "fail" in actions:
        context["fail_form"] = ReasonForm()
    if "extend" in actions:
        context["extend_form"] = ExtendForm(parties=party_ids)
    if "withdraw" in actions:
        context["withdraw_form"] = NoteForm()
    if "convert_to_filing" in actions:
        context["convert_form"] = ActionForm()
    if competent:
        context["apply_form"] = ApplyForm(courts=competent, parties=party_ids)
    context.update(extra)
    distinct_ids(context)
    return context


def distinct_ids(context: dict) -> None:
    """Many forms on one page share field names ("reason"): each form's ids carry its name in the context,
    so every label points at its own field."""
    for name, form in context.items():
        if isinstance(form, django_forms.Form) and not form.prefix:
            form.auto_id = f"id_{name}-%s"


def render_detail(request, mediation: Mediation, status: int = 200, **extra):
    return render(
        request, "mediation/detail.html", detail_context(request, mediation, **extra), status=status
    )


@require_safe
@login_required
def mediation_detail(request, mediation_id: int):
    return render_detail(request, _mediation_or_404(request, mediation_id))


@never_cache  # a page with real ID numbers must not sit in a browser's cache
@login_required
@post_action("mediation-detail", "mediation_id")
def party_reveal(request, mediation_id: int, party_id: int):
    """One party's real ID number and phone, for the mediators who call the parties in; the view is logged."""
    mediation = _mediation_or_404(request, mediation_id)
    party = next((party for party in mediation.parties.all() if party.pk == party_id), None)
    if party is None:
        raise Http404
    if not permissions.may_see_identity(request.user, mediation):
        raise PermissionDenied
    personal_data_access_log(
        user=request.user,
        subject=party,
        fields=["id_number", "phone"],
        purpose="page",
        address=client_address(request),
    )
    revealed = {party.pk: {"id_number": unseal(party.id_number_cipher), "phone": unseal(party.phone_cipher)}}
    return render_detail(request, mediation, revealed=revealed)


# --- Its actions ---------------------------------------------------------------------------------------

# The actions the page posts, spelled as in the API (mediation.api.mediations); "schedule" is the API's
# POST /sessions/ and "apply" its POST /api/confirmations/.
PAGE_ACTIONS = {
    "invite",
    "cancel-invitation",
    "accept",
    "decline",
    "schedule",
    "agree",
    "fail",
    "extend",
    "withdraw",
    "convert-to-filing",
    "apply",
    "reissue-code",
    "lift-lock",
}


def _invitation_posted(request, mediation: Mediation) -> Invitation:
    invitation_id = _posted_id(request.POST.get("invitation"))
    invitation = next((i for i in mediation.invitations.all() if i.pk == invitation_id), None)
    if invitation is None:
        raise Http404
    return invitation


def _bound_forms(request, mediation: Mediation, action: str) -> dict:
    """The forms an action posts, by their names in the page's context."""
    data, user = request.POST, request.user
    parties = mediation.parties.all()
    if action == "invite":
        return {"invite_form": InviteForm(data, mediation=mediation)}
    if action == "cancel-invitation":
        return {"cancel_invitation_form": CancelInvitationForm(data, mediation=mediation)}
    if action == "accept":
        invitation = _invitation_posted(request, mediation)
        judges = list(judges_of(invitation.tribunal_id))
        return {"accept_form": AcceptForm(data, invitation=invitation, user=user, judges=judges)}
    if action == "decline":
        return {"decline_form": DeclineForm(data, invitation=_invitation_posted(request, mediation))}
    if action == "schedule":
        return {
            "schedule_form": ScheduleForm(
                data,
                tribunal_ids=permissions.running_tribunal_ids(mediation),
                mediators=sessions.mediators_of(mediation),
            )
        }
    if action == "agree":
        return {
            "agreement_form": AgreementForm(data, replacing=mediation.state == Mediation.State.AGREED),
            "payments": PaymentFormSet(data, prefix="payments"),
            "signatures": signature_formset(parties, data),
        }
    if action == "fail":
        return {"fail_form": ReasonForm(data)}
    if action == "extend":
        return {"extend_form": ExtendForm(data, parties=parties)}
    if action == "withdraw":
        return {"withdraw_form": NoteForm(data)}
    if action in ("convert-to-filing", "reissue-code", "lift-lock"):
        return {"convert_form": ActionForm(data)}
    competent = confirmations.competent_courts(mediation)
    return {"apply_form": ApplyForm(data, courts=competent, parties=parties)}


def _run(request, mediation: Mediation, action: str, forms: dict) -> tuple[str, str]:
    """Call the service for `action`; returns the message to show and where to go next."""
    user, pk = request.user, mediation.pk
    here = reverse("mediation-detail", args=[pk])
    if action == "invite":
        tribunals = list(forms["invite_form"].cleaned_data["tribunals"])
        mediations.mediation_invite(mediation_id=pk, actor=user, tribunals=tribunals)
        return _("Invited: %(names)s.") % {"names": join_list(t.name for t in tribunals)}, here
    if action == "cancel-invitation":
        data = forms["cancel_invitation_form"].cleaned_data
        mediations.invitation_cancel(
            mediation_id=pk, actor=user, tribunal=data["tribunal"], reason=data["reason"]
        )
        return _("The invitation to %(name)s was withdrawn.") % {"name": data["tribunal"].name}, here
    if action == "accept":
        form = forms["accept_form"]
        invitation = mediations.invitation_accept(
            invitation_id=form.invitation.pk, actor=user, mediator=form.cleaned_data["mediator"]
        )
        mediator = invitation.mediator
        return (
            _("Accepted; the mediator is %(name)s. %(court)s is being told.")
            % {"name": mediator.get_full_name() or mediator.username, "court": mediation.lead_court.name},
            here,
        )
    if action == "decline":
        form = forms["decline_form"]
        mediations.invitation_decline(
            invitation_id=form.invitation.pk, actor=user, reason=form.cleaned_data["reason"]
        )
        return _("Declined; %(court)s is being told.") % {"court": mediation.lead_court.name}, here
    if action == "schedule":
        data = forms["schedule_form"].cleaned_data
        session = sessions.session_schedule(
            mediation_id=pk,
            actor=user,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            mode=data["mode"],
            tribunal=data["tribunal"],
            room=data["room"],
            meeting_url=data["meeting_url"],
            mediators=list(data["mediators"]),
            off_hours_reason=data["off_hours_reason"],
        )
        when = timezone.localtime(session.starts_at)
        return _("Session scheduled for %(when)s.") % {"when": f"{when:%Y-%m-%d %H:%M}"}, here + "#sessions"
    if action == "agree":
        data = forms["agreement_form"].cleaned_data
        agreements.mediation_agree(
            mediation_id=pk,
            actor=user,
            terms=data["terms"],
            amount=data["amount"],
            payments=[PaymentInput(**form.cleaned_data) for form in _filled(forms["payments"])],
            signatures=[SignatureInput(**form.cleaned_data) for form in _signed(forms["signatures"])],
            effective_on=data["effective_on"],
            reason=data.get("reason", ""),
            replaces=data.get("replaces"),
        )
        return _("The agreement was recorded; it is now frozen."), here + "#agreement"
    if action == "fail":
        mediations.mediation_fail(
            mediation_id=pk, actor=user, reason=forms["fail_form"].cleaned_data["reason"]
        )
        return _("The mediation was recorded as failed."), here
    if action == "extend":
        data = forms["extend_form"].cleaned_data
        mediations.mediation_extend(
            mediation_id=pk,
            actor=user,
            until=data["until"],
            reason=data["reason"],
            agreed_by=[party.pk for party in data["agreed_by"]],
        )
        return _("Extended until %(date)s.") % {"date": data["until"].isoformat()}, here
    if action == "withdraw":
        reason = forms["withdraw_form"].cleaned_data["reason"]
        mediations.mediation_withdraw(mediation_id=pk, actor=user, reason=reason)
        return _("Recorded: the parties withdrew."), here
    if action == "convert-to-filing":
        filing = mediations.mediation_convert_to_filing(mediation_id=pk, actor=user)
        return (
            _("Filed with %(court)s as %(receipt)s, with the mediation's parties and materials.")
            % {"court": mediation.jurisdiction_court.name, "receipt": filing.receipt_number},
            here,
        )
    if action == "reissue-code":
        _mediation, query_code = mediations.mediation_reissue_query_code(mediation_id=pk, actor=user)
        query_codes.keep_for_one_page(
            request.session, QUERY_CODE_SESSION_KEY.format(pk), query_code
        )  # shown once, on the page
        return _("A new query code was issued; the old one no longer works."), here
    if action == "lift-lock":
        mediations.mediation_lift_lookup_lock(mediation_id=pk, actor=user)
        return _("The status lookup is unlocked."), here
    data = forms["apply_form"].cleaned_data
    confirmation = confirmations.confirmation_apply(
        mediation_id=pk,
        actor=user,
        court=data["court"],
        applicants=[party.pk for party in data["applicants"]],
    )
    return (
        _("The joint application was sent to %(court)s.") % {"court": data["court"].name},
        reverse("confirmation-detail", args=[confirmation.pk]),
    )


def _signed(formset) -> list:
    """The signature rows with a time: those parties signed; the others did not (the service names them)."""
    return [form for form in formset.forms if form.cleaned_data.get("signed_at")]


def _error_lists(action: str, forms: dict) -> dict | None:
    if action == "agree":
        return {
            "payments": (forms["payments"], _filled(forms["payments"])),
            "signatures": (forms["signatures"], _signed(forms["signatures"])),
        }
    return None


def _next_url(request, default: str) -> str:
    """Back where the form was (the invitations page), if it is this site's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@post_action("mediation-detail", "mediation_id")
def mediation_action(request, mediation_id: int, action: str):
    """POST /mediations/<id>/<action>/: a refusal (not allowed now, not yours to do) is a message and back to
    the page; bad input is the page again with the errors on the form (400)."""
    mediation = _mediation_or_404(request, mediation_id)
    if action not in PAGE_ACTIONS:
        raise Http404
    forms = _bound_forms(request, mediation, action)
    valid = [form.is_valid() for form in forms.values()]  # every form checked, so each shows its errors
    if all(valid):
        try:
            message, target = _run(request, mediation, action, forms)
        except (TransitionNotAllowed, ActionForbidden) as refusal:
            messages.error(request, str(refusal))
            return redirect("mediation-detail", mediation.pk)
        except ValidationError as error:
            main = next(iter(forms.values()))
            attach_request_errors(error, main, _error_lists(action, forms))
        else:
            messages.success(request, message)
            if action in ("accept", "decline"):
                target = _next_url(request, target)
            return redirect(target)
    return render_detail(request, mediation, status=400, **forms, open_action=action)
