"""The case page's requests to other courts: whether this user may ask, and the requests they can see.

The case page (cases.views.filings.case_detail) knows nothing of requests; the template asks here, through
the same permission and selector every request page uses."""

from django import template

from cases import permissions, selectors
from cases.models import PreservationRequest, ServiceRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def case_requests(context, case) -> dict:
    """`{% case_requests case as asked %}`: {"may_request", "service", "preservation"}."""
    user = context["request"].user
    return {
        "may_request": permissions.may_request(user, case),
        "service": selectors.request_list(user, ServiceRequest).filter(case=case),
        "preservation": selectors.request_list(user, PreservationRequest)
        .filter(case=case)
        .prefetch_related("measures"),
    }
