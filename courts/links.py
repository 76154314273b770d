"""Records linked to a record by the floors above it: a filing that a failed mediation became shows that
mediation, a case shows the confirmation it was registered for. The floor that owns a record cannot import
the floors above it, so each higher app registers a function (in its AppConfig.ready) that names the
records of its own linked to a given one, for a given user (it only names what that user may see)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    relation: str  # e.g. "came from", "became", translated by the source
    kind: str  # the linked record's kind, e.g. "mediation"
    label: str  # its number or reference
    url: str  # its page
    id: int = 0  # its id in the API


LinkSource = Callable[[object, object], list[Link]]
_sources: list[LinkSource] = []


def register_link_source(source: LinkSource) -> None:
    if source not in _sources:
        _sources.append(source)


def links_for(record, user) -> list[Link]:
    return [link for source in _sources for link in source(record, user)]
