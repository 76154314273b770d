from django import template

from courts import timeline

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return timeline.action_label(action)


@register.filter
def state_label(state: str, subject_type: str = "") -> str:
    """`{{ event.to_state|state_label:event.subject_type }}`."""
    return timeline.state_label(state, subject_type)


@register.filter
def get_item(mapping, key):
    """`{{ revealed|get_item:party.pk }}`: look a key up in a dict from a template."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def event_reason(event) -> str:
    """`{{ event|event_reason }}`: the reason in the reader's language (courts.timeline.event_reason)."""
    return timeline.event_reason(event)


@register.filter
def stored_text(text: str) -> str:
    """`{{ session.cancel_reason|stored_text }}`: a reason the system wrote, in the reader's language."""
    return timeline.stored_text(text)
