"""Business refusals shared by every state machine; the API maps them to 409 and 403
(courts/error_shape.py)."""

from django.utils.translation import gettext as _

from courts.text import join_list


class TransitionNotAllowed(Exception):
    """The record's current state does not allow this change (409), naming the states it may go to."""

    def __init__(self, *, current: str, current_label: str, target_label: str, allowed: dict[str, str]):
        self.current = current
        self.allowed = allowed
        allowed_text = join_list(allowed.values()) or _("none (the record is closed)")
        super().__init__(
            _("A record in state “%(current)s” cannot become “%(target)s”. Allowed next: %(allowed)s.")
            % {"current": current_label, "target": target_label, "allowed": allowed_text}
        )


class ActionForbidden(Exception):
    """The user may see the record but not take this action (403)."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Your role or court may not take this action."))
