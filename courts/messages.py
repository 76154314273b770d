"""Messages written now and read later, in the reader's language: a notice created by a worker (which runs
in the courts' default language, Chinese) is read by a clerk who chose English, and a reason the system
wrote on the timeline is read in either language.

A `Message` keeps the English source text (the message id of the catalogue) and its arguments; it is stored
as JSON and rendered when read. An argument may itself be translatable: a state's label
(`Filing.State(x).label`, lazy), or another Message; those are stored by their message id too.

    notify_court(..., title=Message(gettext_noop("Filing %(receipt)s: %(outcome)s"),
                                    receipt=filing.receipt_number, outcome=Filing.State(state).label))

`gettext_noop` marks the text for the catalogue (makemessages) without translating it there.
"""

import logging

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext

logger = logging.getLogger(__name__)


class CourtName:
    """A court's short name, in the reader's language when read (吴江法院 / Wujiang Court)."""

    def __init__(self, court):
        self.court_id = court.pk

    def as_json(self) -> dict:
        return {"court": self.court_id}


class TribunalName:
    """A tribunal's name, in the reader's language when read (西塘人民法庭 / Xitang People's Tribunal)."""

    def __init__(self, tribunal):
        self.tribunal_id = tribunal.pk

    def as_json(self) -> dict:
        return {"tribunal": self.tribunal_id}


def _stored(value):
    if isinstance(value, Message | CourtName | TribunalName):
        return value.as_json()
    if isinstance(value, dict) and ({"msgid", "court", "tribunal"} & value.keys()):
        return value  # stored already (a message that travelled in a delivery's payload)
    if isinstance(value, Promise):
        # A lazy translation remembers its arguments: (msgid,) from gettext_lazy, (context, msgid) from
        # pgettext_lazy. Anything else lazy is stored as rendered now.
        args = getattr(value, "_args", ())
        if len(args) == 1 and isinstance(args[0], str):
            return {"msgid": args[0]}
        if len(args) == 2 and all(isinstance(arg, str) for arg in args):
            return {"context": args[0], "msgid": args[1]}
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


class Message:
    def __init__(self, msgid: str, /, **args):
        self.msgid, self.args = msgid, args

    def as_json(self) -> dict:
        return {"msgid": self.msgid, "args": {name: _stored(value) for name, value in self.args.items()}}

    def __str__(self) -> str:
        return render(self.as_json())

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.args!r})"


def render(data) -> str:
    """A stored message in the active language; plain text as it is."""
    if not isinstance(data, dict):
        return "" if data is None else str(data)
    if "court" in data:
        from courts.selectors import court_by_id

        try:
            return court_by_id(data["court"]).short_name
        except KeyError:
            return ""
    if "tribunal" in data:
        from courts.selectors import tribunal_by_id

        try:
            return tribunal_by_id(data["tribunal"]).name
        except KeyError:
            return ""
    msgid = data.get("msgid", "")
    text = pgettext(data["context"], msgid) if data.get("context") else gettext(msgid) if msgid else ""
    args = {
        name: render(value) if isinstance(value, dict) else value
        for name, value in data.get("args", {}).items()
    }
    if not args:
        return text
    try:
        return text % args
    except (KeyError, TypeError, ValueError):
        # A translation whose placeholders do not match its source: the source text is still right.
        logger.warning("message %r: its translation does not take its arguments", msgid)
        return msgid % args


def as_text(value) -> str:
    """What to store as plain text (an email, a column of its own) for a message or a string."""
    return str(value)


def as_data(value) -> dict | None:
    """What to store as JSON for a message; None for plain text, which is shown as it is."""
    return value.as_json() if isinstance(value, Message) else None
