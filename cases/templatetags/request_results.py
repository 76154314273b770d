"""A request's result in a few words, for the case page and the request lists: served on a date or why not;
what was preserved, for how much and until when."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from cases.models import PreservationRequest, ServiceAttempt, ServiceRequest

register = template.Library()


@register.filter
def request_result(record) -> str:
    if isinstance(record, ServiceRequest):
        if record.served_on:
            return _("served on %(date)s") % {"date": record.served_on.isoformat()}
        if record.state == ServiceRequest.State.FAILED:
            reason = record.failure_reason
            label = (
                ServiceAttempt.FailureReason(reason).label
                if reason in ServiceAttempt.FailureReason.values
                else reason
            )
            return _("could not be served: %(reason)s") % {"reason": label or _("no reason given")}
        return ""
    if isinstance(record, PreservationRequest):
        done = [measure for measure in record.measures.all() if measure.result == "done"]
        if record.state == PreservationRequest.State.FAILED:
            return _("could not be carried out")
        if not done:
            return ""
        total = sum((measure.amount_done or Decimal("0") for measure in done), Decimal("0"))
        ends = min((measure.term_ends_on for measure in done if measure.term_ends_on), default=None)
        text = _("preserved ¥%(amount)s") % {"amount": f"{total:,.2f}"}
        if ends:
            text += _(", until %(date)s") % {"date": ends.isoformat()}
        return text
    return ""
