"""A staff session ends after a working day and after an idle hour (issue 12), and nothing a signed-in user
is shown is kept by a browser or a proxy.

- `STAFF_SESSION_MAX_SECONDS` (10 hours) from sign-in, however busy the clerk; `STAFF_SESSION_IDLE_SECONDS`
  (1 hour) without a request. Then the session is ended as a sign-out would (the next page asks to sign in
  again, with a message saying why; an API call made with the session gets the error shape's 401).
- The idle clock is written to the session at most once a minute, not at every request: a clerk's busy
  hour is not a database write per click.
- Every response to a signed-in user (a page, a PDF, an API answer made with a token) is `Cache-Control:
  no-store, private`: staff pages show parties' names, masked numbers and scans, and a shared computer's
  cache or a proxy must not keep them. The litigants' pages say `no-store` themselves.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

LOGIN_AT = "staff_session_login_at"
SEEN_AT = "staff_session_seen_at"
TOUCH_EVERY_SECONDS = 60


def _ended(session, now: int) -> str | None:
    """Why this signed-in session has ended, or None."""
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is not None and now - login_at >= settings.STAFF_SESSION_MAX_SECONDS:
        message = _(
            "You were signed out at the end of the working day (%(hours)s hours). Please sign in again."
        )
        return message % {"hours": settings.STAFF_SESSION_MAX_SECONDS // 3600}
    if seen_at is not None and now - seen_at >= settings.STAFF_SESSION_IDLE_SECONDS:
        message = _("You were signed out after %(minutes)s minutes without activity. Please sign in again.")
        return message % {"minutes": settings.STAFF_SESSION_IDLE_SECONDS // 60}
    return None


class StaffSessionMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        signed_in = SESSION_KEY in session  # reads the session only if the request brought its cookie
        if signed_in:
            now = int(time.time())
            reason = _ended(session, now)
            if reason is not None:
                logout(request)
                messages.info(request, reason)
            else:
                if session.get(SEEN_AT) is None or now - session[SEEN_AT] >= TOUCH_EVERY_SECONDS:
                    session[SEEN_AT] = now
                if LOGIN_AT not in session:
                    session[LOGIN_AT] = now  # a session from before this clock: its day starts now
        response = self.get_response(request)
        user = getattr(request, "user", None)  # set by DRF too, for a token
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


def start_the_clock(sender, request, user, **kwargs):
    """At sign-in (user_logged_in), in the session the sign-in writes anyway: no write of its own later."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = request.session[SEEN_AT] = int(time.time())
