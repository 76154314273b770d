"""Forms for judicial confirmation's pages: the court's actions on an application."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courts.forms import CourtDateField
from mediation.forms.mediations import DATE, lines


class ActionForm(forms.Form):
    """Register, confirm and start enforcement ask for nothing but the click."""


class SupplementForm(forms.Form):
    items = forms.CharField(
        label=_("What the applicants must supplement (one item per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=8000,
    )
    deadline = CourtDateField(label=_("Supplement by"), widget=DATE)

    def items_list(self) -> list[str]:
        return lines(self.cleaned_data["items"])


class GroundsForm(forms.Form):
    grounds = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)
