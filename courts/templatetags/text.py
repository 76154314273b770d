"""`{% load text %}`: lists and amounts as the language writes them (courts.text)."""

from django import template

from courts import text

register = template.Library()


@register.filter
def join_list(items) -> str:
    """`{{ names|join_list }}` instead of `|join:"、"`, which stays Chinese in English."""
    return text.join_list(items)


@register.filter
def money(amount) -> str:
    """`{{ case.claim_amount|money }}`: ¥128,000.00 in either language."""
    return text.money(amount)
