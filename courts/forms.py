from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from courts.login_throttle import client_address, login_attempt


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing further tries after repeated failures (see courts.login_throttle)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed logins. Try again in 15 minutes, or ask your court administrator."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        attempt = login_attempt(username, client_address(self.request))
        if attempt.begin():  # counted first: parallel tries cannot all slip under the limit
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        cleaned = super().clean()  # a wrong password raises here, and stays counted
        attempt.succeeded(reset_first=True)
        return cleaned


def all_valid(*forms_and_formsets) -> bool:
    """Validate every form and formset of a page, each of them even after one fails, so the page shows all
    its errors in one round (`a.is_valid() and b.is_valid()` would leave b unchecked)."""
    results = [form.is_valid() for form in forms_and_formsets]
    return all(results)


class CourtDateField(forms.DateField):
    """A date between 1900 and 2200 (courts.serializers.FIRST_YEAR/LAST_YEAR): outside them it is a typo,
    and a day added to 9999-12-31 overflows (bad input, never a 500)."""

    def validate(self, value):
        super().validate(value)
        from courts.serializers import FIRST_YEAR, LAST_YEAR

        if value and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("A date between %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
                code="out_of_range",
            )
