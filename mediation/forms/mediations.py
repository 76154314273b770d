"""Forms for a mediation's pages: opening one, the list's filters, and every action on its page. As in
cases.forms they check types and shapes; the rules live in mediation.services, whose ValidationErrors go
back on the right field (cases.forms.requests.attach_request_errors: "payments.1.amount" lands on the second
payment's amount)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.services.filings import MAX_CLAIM_AMOUNT
from courts.forms import CourtDateField
from courts.models import Court, Role, Tribunal, User
from mediation.models import AgreementSignature, Mediation

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
AMOUNT = {"max_digits": 14, "decimal_places": 2}


def datetime_field(label, **kwargs) -> forms.DateTimeField:
    """A datetime-local input, read in the court's time zone (settings.TIME_ZONE, Asia/Shanghai)."""
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def judges_of(tribunal_id: int):
    return User.objects.filter(tribunal_id=tribunal_id, is_active=True, roles__code=Role.JUDGE).order_by(
        "username"
    )


class TribunalsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.court.short_name}）"


class PartiesField(forms.ModelMultipleChoiceField):
    """The mediation's parties as checkboxes, all ticked unless the user unticks them."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj) -> str:
        return f"{obj.get_role_display()}：{obj.name}"


def other_courts_tribunals(court_id: int):
    return (
        Tribunal.objects.filter(court__is_active=True)
        .exclude(court_id=court_id)
        .select_related("court")
        .order_by("court_id", "id")
    )


# --- Opening a mediation ---------------------------------------------------------------------------------


class MediationForm(forms.Form):
    """What the lead tribunal's judge gives. For a diverted filing or a case, the parties, cause, amount and
    court with jurisdiction come from that record (shown read-only, never retyped): those fields are gone."""

    filing = forms.IntegerField(widget=forms.HiddenInput, required=False)
    case = forms.IntegerField(widget=forms.HiddenInput, required=False)
    invited_tribunals = TribunalsField(
        label=_("Invite the tribunals of other courts"),
        queryset=Tribunal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    cause = forms.CharField(label=_("Cause of action"), max_length=100, required=False)
    claim_amount = forms.DecimalField(
        label=_("Amount claimed (yuan)"), **AMOUNT, min_value=0.01, max_value=MAX_CLAIM_AMOUNT, required=False
    )
    jurisdiction_court = forms.ModelChoiceField(
        label=_("Court with jurisdiction if mediation fails"), queryset=Court.objects.none(), required=False
    )
    property_court = forms.ModelChoiceField(
        label=_("Court where the property in dispute lies (optional)"),
        queryset=Court.objects.none(),
        required=False,
        empty_label="—",
    )
    materials = forms.CharField(
        label=_("Materials received (one per line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )
    consent = forms.BooleanField(
        label=_("The parties consent to mediation"),
        error_messages={"required": _("Mediation needs the parties' consent.")},
    )

    def __init__(self, *args, lead_tribunal: Tribunal, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        courts = Court.objects.filter(is_active=True).order_by("id")
        self.fields["invited_tribunals"].queryset = other_courts_tribunals(lead_tribunal.court_id)
        self.fields["jurisdiction_court"].queryset = courts
        self.fields["property_court"].queryset = courts
        if record is not None:
            # From a filing or case: what it says is what the mediation takes.
            for name in ("cause", "claim_amount", "jurisdiction_court"):
                del self.fields[name]
        else:
            self.fields["cause"].required = True
            self.fields["jurisdiction_court"].required = True
            self.initial.setdefault("jurisdiction_court", lead_tribunal.court_id)

    def materials_list(self) -> list[str]:
        return lines(self.cleaned_data.get("materials", ""))


# --- On a mediation's page -----------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Actions that ask for nothing but the click (convert to a filing)."""


class InviteForm(forms.Form):
    tribunals = TribunalsField(
        label=_("Tribunals to invite"),
        queryset=Tribunal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, mediation: Mediation, **kwargs):
        super().__init__(*args, **kwargs)
        asked = {
            invitation.tribunal_id
            for invitation in mediation.invitations.all()
            if invitation.state in ("sent", "received", "accepted")
        }
        self.fields["tribunals"].queryset = other_courts_tribunals(mediation.lead_court_id).exclude(
            pk__in=asked
        )


class CancelInvitationForm(forms.Form):
    tribunal = forms.ModelChoiceField(label=_("Invitation to withdraw"), queryset=Tribunal.objects.none())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def __init__(self, *args, mediation: Mediation, **kwargs):
        super().__init__(*args, **kwargs)
        waiting = [
            invitation.tribunal_id
            for invitation in mediation.invitations.all()
            if invitation.state in ("sent", "received")
        ]
        self.fields["tribunal"].queryset = Tribunal.objects.filter(pk__in=waiting).order_by("id")


class AcceptForm(forms.Form):
    """The invited tribunal takes part: its mediator, a judge of it (the one answering by default). The
    judges come as a list, so a page of many invitations reads them once. The page posts the invitation's
    id beside the form (`invitation`); the prefix keeps many such forms on one page apart."""

    mediator = forms.ChoiceField(label=_("Mediator"))

    def __init__(self, *args, invitation, user, judges: list[User], **kwargs):
        kwargs.setdefault("prefix", f"invitation-{invitation.pk}")
        super().__init__(*args, **kwargs)
        self.judges = {str(judge.pk): judge for judge in judges}
        self.fields["mediator"].choices = [
            (key, judge.get_full_name() or judge.username) for key, judge in self.judges.items()
        ]
        self.invitation = invitation
        self.initial.setdefault("mediator", str(user.pk))

    def clean_mediator(self) -> User:
        return self.judges[self.cleaned_data["mediator"]]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why your tribunal declines"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, invitation, **kwargs):
        kwargs.setdefault("prefix", f"invitation-{invitation.pk}")
        super().__init__(*args, **kwargs)
        self.invitation = invitation


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NoteForm(forms.Form):
    reason = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)


class ExtendForm(forms.Form):
    until = CourtDateField(label=_("New end date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    agreed_by = PartiesField(label=_("Parties who agreed to extend"), queryset=None, required=False)

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreed_by"].queryset = parties
        self.initial.setdefault("agreed_by", [party.pk for party in parties])


class AgreementForm(forms.Form):
    terms = forms.CharField(
        label=_("Terms agreed"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    amount = forms.DecimalField(label=_("Amount (yuan)"), **AMOUNT, min_value=0, required=False)
    effective_on = CourtDateField(label=_("Takes effect on"), widget=DATE)
    reason = forms.CharField(
        label=_("Why it replaces the agreement in force"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    # When replacing: the agreement in force the judge saw (two recording at once cannot both replace it).
    replaces = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, replacing: bool, replaces: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not replacing:
            del self.fields["reason"]
            del self.fields["replaces"]
        else:
            self.fields["reason"].required = True
            self.fields["replaces"].initial = replaces


class PaymentForm(forms.Form):
    due_on = CourtDateField(label=_("Due on"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount (yuan)"), **AMOUNT)


PaymentFormSet = forms.formset_factory(PaymentForm, extra=1, max_num=120, validate_max=True)


class SignatureForm(forms.Form):
    """One party's signature: left without a time, the party has not signed (the service names them)."""

    party = forms.IntegerField(widget=forms.HiddenInput)
    signed_at = datetime_field(_("Signed at"), required=False)
    method = forms.ChoiceField(label=_("How"), choices=AgreementSignature.Method.choices)


SignatureFormSet = forms.formset_factory(SignatureForm, extra=0, max_num=50)


def signature_formset(parties, data=None) -> forms.BaseFormSet:
    """One row per party of the mediation, each form carrying its party as `target` for the page."""
    parties = list(parties)
    formset = SignatureFormSet(
        data,
        prefix="signatures",
        initial=[{"party": party.pk, "method": AgreementSignature.Method.HANDWRITTEN} for party in parties],
    )
    by_id = {party.pk: party for party in parties}
    for form, default in zip(formset.forms, parties, strict=False):
        posted = str(form["party"].value() or "")
        form.target = by_id.get(int(posted)) if posted.isdigit() else default
    return formset


class ApplyForm(forms.Form):
    """The parties' joint application for judicial confirmation (CPL 205), at a competent court."""

    court = forms.ModelChoiceField(
        label=_("Court applied to (competent courts only)"), queryset=Court.objects.none(), empty_label=None
    )
    applicants = PartiesField(label=_("Applicants (all parties apply together)"), queryset=None)

    def __init__(self, *args, courts: list[Court], parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = Court.objects.filter(pk__in=[court.pk for court in courts]).order_by(
            "id"
        )
        self.fields["applicants"].queryset = parties
        self.fields["applicants"].required = False
        self.initial.setdefault("applicants", [party.pk for party in parties])
