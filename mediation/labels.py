"""Names for the timeline's actions and states of mediation's records, as the pages show them."""

from django.utils.translation import gettext_lazy as _

from mediation.models import Agreement, Confirmation, Invitation, Mediation, MediationSession

ACTIONS = {
    "mediation.propose": _("mediation opened; tribunals invited"),
    "mediation.invite": _("more tribunals invited"),
    "mediation.reinvite": _("another tribunal invited"),
    "mediation.accept": _("accepted by the invited tribunals; 30 days run"),
    "mediation.declined": _("declined by every invited tribunal"),
    "mediation.first_session": _("first session scheduled"),
    "mediation.agree": _("agreement signed"),
    "mediation.replace_agreement": _("agreement replaced"),
    "mediation.fail": _("mediation failed"),
    "mediation.withdraw": _("withdrawn by the parties"),
    "mediation.expire": _("mediation period ended without agreement"),
    "mediation.extend": _("extended with the parties' agreement"),
    "mediation.convert_to_filing": _("turned into a filing"),
    "mediation.reissue_query_code": _("new query code issued"),
    "mediation.lift_lookup_lock": _("status lookup unlocked after an identity check"),
    "invitation.send": _("invitation sent"),
    "invitation.receive": _("invitation received by the invited court"),
    "invitation.accept": _("invitation accepted; mediator named"),
    "invitation.decline": _("invitation declined"),
    "invitation.cancel": _("invitation withdrawn"),
    "invitation.overdue": _("3 working days passed without an answer"),
    "invitation.escalate": _("still unanswered: the court's administrators told"),
    "session.schedule": _("session scheduled"),
    "session.reschedule": _("session moved"),
    "session.cancel": _("session cancelled"),
    "session.record": _("session minuted"),
    "agreement.sign": _("agreement signed by every party"),
    "agreement.supersede": _("agreement replaced by a new one"),
    "confirmation.apply": _("joint application for judicial confirmation"),
    "confirmation.request_supplement": _("supplementary materials requested"),
    "confirmation.register": _("registered as a 民特 case"),
    "confirmation.confirm": _("agreement confirmed by ruling"),
    "confirmation.reject": _("application rejected"),
    "confirmation.not_accept": _("application not accepted"),
    "confirmation.withdraw": _("application withdrawn"),
    "confirmation.overdue": _("30 days passed without a ruling"),
    "confirmation.supplement_lapsed": _("not supplemented in time: the court may treat it as withdrawn"),
    "confirmation.start_enforcement": _("enforcement applied for"),
}

STATES = [
    (Mediation, dict(Mediation.State.choices)),
    (Invitation, dict(Invitation.State.choices)),
    (MediationSession, dict(MediationSession.State.choices)),
    (Agreement, dict(Agreement.State.choices)),
    (Confirmation, dict(Confirmation.State.choices)),
]
