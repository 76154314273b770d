"""Names for the timeline's actions and states, as the pages show them."""

from django.utils.translation import gettext_lazy as _

from cases.models import Case, Filing

ACTIONS = {
    "filing.submit": _("filed at the window"),
    "filing.receive": _("received by the court with jurisdiction"),
    "filing.register": _("registered"),
    "filing.request_correction": _("correction requested"),
    "filing.resubmit": _("corrected filing sent"),
    "filing.receive_resubmission": _("corrected filing received; 7 days run again"),
    "filing.divert_to_mediation": _("diverted to pre-filing mediation"),
    "filing.refuse": _("not accepted"),
    "filing.withdraw": _("withdrawn"),
    "filing.return": _("returned: not corrected in time"),
    "filing.overdue": _("7 days passed: register first"),
    "filing.attach": _("scan attached"),
    "filing.reissue_query_code": _("new query code issued"),
    "case.register": _("case registered"),
}

STATES = {**dict(Filing.State.choices), **dict(Case.State.choices)}
