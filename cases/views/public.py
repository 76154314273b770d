"""The litigants' pages: the status page (on a phone, after scanning the receipt's QR code) and the window
terminal's kiosk. No account: a number and its query code (cases.status). Answers are never cached."""

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from cases.status import CODE_MAX_LENGTH, NUMBER_MAX_LENGTH, Result, refusal_message, status_lookup
from courts.login_throttle import client_address

# A lock or a throttle is 429; a guard that cannot count is 503; an unknown number or wrong code is the page.
REFUSAL_STATUS = {Result.LOCKED: 429, Result.THROTTLED: 429, Result.UNAVAILABLE: 503}


class UnechoedInput(forms.TextInput):
    """Shown as typed, never sent back in a page: a code is not left on a shared screen."""

    def format_value(self, value):
        return None


class LookupForm(forms.Form):
    # Longer than any number or code, so an over-long one is refused like a wrong one, not by its length.
    number = forms.CharField(label=_("Receipt, case or mediation number"), max_length=NUMBER_MAX_LENGTH * 4)
    code = forms.CharField(
        label=_("Query code"),
        max_length=CODE_MAX_LENGTH * 4,
        widget=UnechoedInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )


def _look_up(request, template: str, extra: dict | None = None):
    initial = {"number": request.GET.get("number", "")[:NUMBER_MAX_LENGTH]}
    form = LookupForm(request.POST or None, initial=initial)
    status, refused, code = None, "", 200
    if request.method == "POST" and form.is_valid():
        lookup = status_lookup(
            number=form.cleaned_data["number"],
            code=form.cleaned_data["code"],
            address=client_address(request),
        )
        status = lookup.status
        if lookup.result != Result.FOUND:
            refused = refusal_message(lookup.result)
            code = {Result.LOCKED: 429, Result.THROTTLED: 429, Result.UNAVAILABLE: 503}.get(
                lookup.result, 200
            )
    elif request.method == "POST":
        refused = refusal_message(Result.REFUSED)
    context = {"form": form, "status": status, "refused": refused, **(extra or {})}
    return render(request, template, context, status=code)


@never_cache
def status_page(request):
    return _look_up(request, "public/status.html")


@never_cache
def kiosk(request):
    """The window terminal: full screen, large type, an on-screen keypad, the receipt's QR code read by the
    camera where there is one, back to the start after KIOSK_IDLE_SECONDS without a touch, and no way out
    to the staff pages."""
    return _look_up(request, "public/kiosk.html", {"idle_seconds": settings.KIOSK_IDLE_SECONDS})
