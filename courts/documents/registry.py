"""The printed documents' registry: each flow declares its kinds (cases/documents.py, mediation/documents.py)
and registers them in its AppConfig.ready(), as it registers its delivery handlers and timeline labels. The
ground floor renders, records and verifies them without knowing what a filing or a mediation is.

A *resource* is an API collection (`filings`, `service-requests`, ...) and how to load one of its records
for a user: the flow's own detail selector, so a record the user may not see is a 404 here as on its page.
A *kind* names one document a record of that resource may have (`receipt`), when it has it, and how to
fill its template.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.http import HttpRequest

from courts.models import Court


@dataclass(frozen=True)
class Printing:
    """What a kind's context builder may use besides the record: who prints, and for what request (the
    absolute URLs printed on the document, the window's one-time query code in the session)."""

    request: HttpRequest
    user: Any

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)


@dataclass(frozen=True)
class DocumentKind:
    name: str  # the URL's kind: documents/<name>.pdf
    resource: str  # the API collection whose records have it
    title: str  # printed at the top, in Chinese (诉讼材料收据)
    label: Any  # the print button's words, translated (gettext_lazy)
    template: str
    applies: Callable[[Any], bool]  # does this record have this document now?
    number: Callable[[Any], str]  # the number printed (receipt, case or letter number)
    court: Callable[[Any], Court]  # the issuing court
    dated: Callable[[Any], dt.date]  # the date printed at the end
    context: Callable[[Any, Printing], dict]
    # After the copy was issued (the receipt forgets the one-time query code it printed).
    issued: Callable[[Any, Printing], None] | None = None


@dataclass(frozen=True)
class Resource:
    name: str
    model: type[models.Model]
    load: Callable[[Any, int], models.Model]  # (user, id) -> record, raising Http404 when not visible
    kinds: dict[str, DocumentKind] = field(default_factory=dict)


_resources: dict[str, Resource] = {}
_by_model: dict[str, str] = {}


def register_resource(
    name: str, *, model: type[models.Model], load: Callable[[Any, int], models.Model]
) -> None:
    _resources.setdefault(name, Resource(name, model, load))
    _by_model[model._meta.label_lower] = name


def resource_of(record) -> str | None:
    """The API collection a record belongs to, if its flow registered one."""
    return _by_model.get(record._meta.label_lower)


def register_kind(kind: DocumentKind) -> None:
    _resources[kind.resource].kinds[kind.name] = kind


def resource(name: str) -> Resource:
    return _resources[name]


def all_resources() -> list[Resource]:
    return list(_resources.values())


def kinds_of(resource_name: str, record) -> list[DocumentKind]:
    """The documents this record has now, in the order they were registered."""
    return [kind for kind in _resources[resource_name].kinds.values() if kind.applies(record)]


def document_url(resource_name: str, record, kind: DocumentKind) -> str:
    return f"/api/{resource_name}/{record.pk}/documents/{kind.name}.pdf"
