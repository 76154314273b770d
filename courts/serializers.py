"""API shapes every app shares: court and tribunal fields by code, the timeline as the API shows it, and the
reading of list filters from a query string."""

import datetime as dt

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from courts.models import Court, Tribunal


class CodeField(serializers.SlugRelatedField):
    """A record named by its code (or username). Text no code can be is "no such record" before the lookup:
    PostgreSQL refuses a NUL byte in any text, and the query would fail with a 500 (found by the fuzzing)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "\\0"))
        return super().to_internal_value(data)


class CourtCodeField(CodeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Court.objects.filter(is_active=True))
        super().__init__(**kwargs)


class TribunalCodeField(CodeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Tribunal.objects.filter(court__is_active=True))
        super().__init__(**kwargs)


class TimelineEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.SerializerMethodField()
    actor_court = serializers.CharField(source="actor_court.code", read_only=True, allow_null=True)
    reason = serializers.CharField()
    payload = serializers.JSONField()

    def get_actor(self, event) -> str | None:
        return event.actor.get_full_name() or event.actor.username if event.actor else None


def without_empty(params: QueryDict) -> QueryDict:
    """`?state=&court=qingpu` means "no state filter", as an HTML form sends it, not an invalid state."""
    cleaned = QueryDict(mutable=True)
    for key, values in params.lists():
        kept = [value for value in values if value.strip()]
        if kept:
            cleaned.setlist(key, kept)
    return cleaned


class LinkSerializer(serializers.Serializer):
    """A record of another flow linked to this one (courts.links): a filing's mediation, a case's
    confirmation."""

    relation = serializers.CharField()
    kind = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField()
    url = serializers.CharField()


# Dates a court deals in. Outside these years a date is a typo, and near the ends of what Python can hold
# arithmetic on it (a day later, a timezone applied) overflows: refused here as bad input, never a 500.
FIRST_YEAR, LAST_YEAR = 1900, 2200
_OUT_OF_RANGE = _("A date between %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}


class CourtDateField(serializers.DateField):
    default_error_messages = {"out_of_range": _OUT_OF_RANGE}

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            self.fail("out_of_range")
        return day


class CourtDateTimeField(serializers.DateTimeField):
    """A moment; one without an offset is read as Asia/Shanghai, as everywhere in the API."""

    default_error_messages = {"out_of_range": _OUT_OF_RANGE}

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except (OverflowError, ValueError):
            self.fail("out_of_range")
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            self.fail("out_of_range")
        return moment

    def enforce_timezone(self, value: dt.datetime):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            self.fail("out_of_range")  # before converting: year 1 less the +08:05 local mean time overflows
        return super().enforce_timezone(value)


class IdField(serializers.IntegerField):
    """A record's id: a whole number, given as a JSON integer or digits. 1.0, 1.5, "1.0" and true are not
    ids (DRF's IntegerField takes 1.0 and true), and ids stay within a database integer (never a 500)."""

    default_error_messages = {"invalid": _("An id: a whole number.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool | float) or (isinstance(data, str) and not data.strip().isdigit()):
            self.fail("invalid")
        return super().to_internal_value(data)
