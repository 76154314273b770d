"""/verify/: anyone holding a printed document types (or scans) its verification code and sees whether the
court issued it: its kind, number, court and date, never its content."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from courts.documents.api import kind_title, verify
from courts.login_throttle import client_address


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=64,
        help_text=_("Printed at the foot of every page, e.g. 7KQM-3XRT-9HWC-P2ND."),
    )


@never_cache
def verify_page(request):
    """A GET form, so a link or a scanned code (`?code=`) opens the answer directly."""
    form = VerifyForm(request.GET if "code" in request.GET else None)
    document, checked, throttled = None, False, False
    if form.is_bound and form.is_valid():
        document, throttled = verify(form.cleaned_data["code"], client_address(request))
        checked = not throttled
    elif form.is_bound:
        checked = True  # over-long or empty: the same answer as an unknown code
    context = {
        "form": form,
        "document": document,
        "title": kind_title(document.kind) if document else "",
        "checked": checked,
        "throttled": throttled,
    }
    return render(request, "courts/verify.html", context, status=429 if throttled else 200)
