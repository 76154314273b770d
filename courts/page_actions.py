"""What every page action (a form posted to /<record>/<id>/<action>/) shares.

A failed action renders the record's page with its errors at the action's URL; a reload there, or a link
followed to it, is a GET. Rather than a bare "405 Method Not Allowed", a GET goes back to the record's page
(issue 14: "reloading it shows Chromium's bare HTTP ERROR 405")."""

from functools import wraps

from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect


def post_action(record_page: str, *url_kwargs: str):
    """Decorate a view that takes POST only; a GET is redirected to the page named `record_page`, built from
    the view's URL arguments named `url_kwargs` (e.g. post_action("filing-detail", "filing_id"))."""

    def decorate(view):
        @wraps(view)
        def run(request, *args, **kwargs):
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                return redirect(record_page, *[kwargs[name] for name in url_kwargs])
            return HttpResponseNotAllowed(["POST"])

        return run

    return decorate
