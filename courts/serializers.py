"""API shapes every app shares: court and tribunal fields by code, the timeline as the API shows it, and the
reading of list filters from a query string."""

from django.http import QueryDict
from rest_framework import serializers

from courts.models import Court, Tribunal


class CourtCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Court.objects.filter(is_active=True))
        super().__init__(**kwargs)


class TribunalCodeField(serializers.SlugRelatedField):
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
