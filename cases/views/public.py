"""The litigants' status page: no account, a receipt or case number and the query code (cases.status)."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from cases.status import status_lookup
from courts.login_throttle import client_address, status_lookup_attempt


class LookupForm(forms.Form):
    number = forms.CharField(label=_("Receipt number or case number"), max_length=64)
    code = forms.CharField(label=_("Query code"), max_length=16)


@never_cache
def status_page(request):
    form = LookupForm(request.POST or None)
    status, refused, throttled = None, "", False
    if request.method == "POST" and form.is_valid():
        attempt = status_lookup_attempt(client_address(request))
        if attempt.begin():  # counted first: parallel wrong codes cannot all slip under the limit
            throttled = True
            refused = _("Too many wrong tries. Please ask at a service window, or try again in 15 minutes.")
        else:
            status = status_lookup(
                number=form.cleaned_data["number"],
                code=form.cleaned_data["code"],
                address=client_address(request),
            )
            if status is not None:
                attempt.succeeded()
            else:
                refused = _(
                    "No matter was found with that number and query code. Check both on your receipt."
                )
    return render(
        request,
        "public/status.html",
        {"form": form, "status": status, "refused": refused},
        status=429 if throttled else 200,
    )
