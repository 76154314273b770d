"""Names for the timeline's actions and states, as the pages show them."""

from django.utils.translation import gettext_lazy as _

from cases.models import Case, Filing, PreservationRequest, ServiceRequest

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
    "filing.lift_lookup_lock": _("status lookup unlocked after an identity check"),
    "case.register": _("case registered"),
    "case.close": _("case closed"),
    "case.imported": _("imported from the court's earlier records"),
    # Requests between courts (cases.services.service_requests, preservation_requests, request_clocks).
    "service_request.send": _("service requested"),
    "service_request.receive": _("received by the entrusted court; 10 days to serve"),
    "service_request.accept": _("accepted by an officer"),
    "service_request.serve": _("served"),
    "service_request.attempt_failed": _("attempt at service failed"),
    "service_request.fail": _("could not be served"),
    "service_request.return": _("returned by the entrusted court"),
    "service_request.cancel": _("cancelled by the requesting court"),
    "service_request.acknowledge": _("result acknowledged"),
    "service_request.attach": _("file attached"),
    "service_request.overdue": _("10 days passed: overdue"),
    "service_request.escalate": _("not accepted within 1 working day: administrators told"),
    "preservation_request.send": _("preservation requested"),
    "preservation_request.receive": _("received by the entrusted court; the time limit runs"),
    "preservation_request.accept": _("accepted by an officer"),
    "preservation_request.report": _("results of the measures reported"),
    "preservation_request.return": _("returned by the entrusted court"),
    "preservation_request.cancel": _("cancelled by the requesting court"),
    "preservation_request.acknowledge": _("result acknowledged"),
    "preservation_request.attach": _("file attached"),
    "preservation_request.overdue": _("time limit passed: overdue"),
    "preservation_request.escalate": _("not accepted within 1 working day: administrators told"),
}


# The states of each record type, as its timeline shows them.
STATES = [
    (Filing, dict(Filing.State.choices)),
    (Case, dict(Case.State.choices)),
    (ServiceRequest, dict(ServiceRequest.State.choices)),
    (PreservationRequest, dict(PreservationRequest.State.choices)),
]
