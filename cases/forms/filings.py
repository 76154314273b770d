"""Forms for the clerks' pages. They check types and shapes; the rules live in the services, whose
ValidationErrors are put back on the right field (`attach_service_errors`)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import FilingCategory, Party
from cases.services.filings import MAX_CLAIM_AMOUNT
from courts.forms import CourtDateField
from courts.models import Court

# The window's checklist (DOMAIN.md, cross-region filing step 1).
CHECKLIST = [
    ("起诉状（按对方当事人人数提交副本）", _("complaint, with one copy per opposing party")),
    ("当事人身份证明", _("identity documents")),
    ("授权委托书及代理人身份证明", _("power of attorney and the agent's identity (if an agent files)")),
    ("证据目录及证据材料", _("evidence list and evidence")),
    ("送达地址确认书", _("confirmation of the address for service")),
    ("执行依据（生效法律文书）", _("the enforceable legal document (enforcement only)")),
]


class FilingForm(forms.Form):
    jurisdiction_court = forms.ModelChoiceField(
        label=_("Court with jurisdiction"), queryset=Court.objects.none(), empty_label=None
    )
    category = forms.ChoiceField(label=_("Category"), choices=FilingCategory.choices)
    cause = forms.CharField(label=_("Cause of action"), max_length=100)
    claim_amount = forms.DecimalField(
        label=_("Amount claimed (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        max_value=MAX_CLAIM_AMOUNT,
        required=False,
    )
    materials = forms.MultipleChoiceField(
        label=_("Materials received"), choices=CHECKLIST, widget=forms.CheckboxSelectMultiple, required=False
    )
    other_materials = forms.CharField(
        label=_("Other materials (one per line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    e_service_consent = forms.BooleanField(
        label=_("The litigant consents to electronic service"), required=False
    )
    pre_mediation_consent = forms.BooleanField(
        label=_("The litigant consents to pre-filing mediation"), required=False
    )

    def __init__(self, *args, court: Court, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction_court"].queryset = Court.objects.filter(is_active=True).exclude(pk=court.pk)

    def materials_list(self) -> list[str]:
        others = [
            line.strip() for line in self.cleaned_data.get("other_materials", "").splitlines() if line.strip()
        ]
        return [*self.cleaned_data.get("materials", []), *others]


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Party.Role.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Party.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    id_number = forms.CharField(label=_("ID number / credit code"), max_length=32, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=24, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    e_service_consent = forms.BooleanField(label=_("Consents to electronic service"), required=False)

    # What a row must say to be a party: the role and kind selects always send a value, so a row added and
    # left empty would otherwise count as "changed" and fail for its missing name.
    SAYS_WHO = ("name", "id_number", "phone", "address")

    def has_changed(self) -> bool:
        return any((self.data.get(self.add_prefix(name)) or "").strip() for name in self.SAYS_WHO)


PartyFormSet = forms.formset_factory(PartyForm, extra=0, min_num=2, validate_min=True, max_num=50)


def attach_service_errors(error: ValidationError, form: forms.Form, parties=None, filled=None) -> None:
    """Put a service's {"field": [...]} or {"parties.1.phone": [...]} errors on the matching form field.
    `filled` are the party forms that were sent to the service, in its order (empty extra forms left out)."""
    for key, messages in error.message_dict.items():
        parts = key.split(".")
        if parts[0] == "parties" and parties is not None:
            if len(parts) == 3:
                party_form = (filled if filled is not None else parties.forms)[int(parts[1])]
                for message in messages:
                    party_form.add_error(parts[2] if parts[2] in party_form.fields else None, message)
            else:
                # Errors about the parties as a whole ("no defendant") belong above the party list.
                parties.non_form_errors().extend(messages)
            continue
        for message in messages:
            form.add_error(parts[0] if parts[0] in form.fields else None, message)


class CorrectionForm(forms.Form):
    items = forms.CharField(
        label=_("Items to correct (one per line)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000
    )
    deadline = CourtDateField(label=_("Correct by"), widget=forms.DateInput(attrs={"type": "date"}))

    def items_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ResubmitForm(forms.Form):
    materials = forms.CharField(
        label=_("Materials brought (one per line)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def materials_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["materials"].splitlines() if line.strip()]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Note"), required=False, max_length=4000)


class RegisterForm(forms.Form):
    tribunal = forms.ModelChoiceField(
        label=_("Assign to tribunal"), queryset=None, required=False, empty_label=_("the court itself")
    )

    def __init__(self, *args, court: Court, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tribunal"].queryset = court.tribunals.all()


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Scan (PDF, JPEG or PNG, at most 20 MB)"))
