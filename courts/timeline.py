"""Append to the timeline. Every service that changes a tracked record's state calls `record_event` inside
the same transaction as the change, so the change and its audit row commit or vanish together."""

from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db import models, transaction

from courts.lookup_guard import FOLLOWED, records_changed
from courts.messages import Message, render
from courts.models import Event
from courts.rows import insert_rows


def record_event(
    *,
    subject: models.Model,
    action: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    actor_court=None,
) -> Event:
    if not transaction.get_connection().in_atomic_block:
        # An event written outside the transaction of its change could survive a rolled-back change.
        raise RuntimeError("record_event must run inside the transaction of the change it records")
    if actor is not None and actor_court is None:
        actor_court = getattr(actor, "court", None)
    if isinstance(reason, Message):
        # A reason the system wrote: read in the reader's language (courts.messages); the text stays too.
        payload = {**(payload or {}), "reason_message": reason.as_json()}
        reason = str(reason)
    event = Event(
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_court=actor_court,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
    )
    insert_rows([event])  # one prepared INSERT: this runs in every delivery
    _changed(_record_and_its_links(subject))
    return event


def _record_key(model, pk) -> str:
    return f"{model._meta.label_lower}:{pk}"


def _followed_links(model) -> list:
    """The fields by which `model`'s records point to records that kept status answers read."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation
        and (field.many_to_one or field.one_to_one)
        and field.related_model._meta.label_lower in FOLLOWED
    ]


def _record_and_its_links(subject: models.Model) -> list[str]:
    """The record an event is about and the records it points to, those that kept answers read: a new
    mediation on a case changes what the case's status shows, and its event is the mediation's."""
    keys = [_record_key(subject, subject.pk)] if subject._meta.label_lower in FOLLOWED else []
    for field in _followed_links(type(subject)):
        if (pk := getattr(subject, field.attname)) is not None:
            keys.append(_record_key(field.related_model, pk))
    return keys


_PENDING = "_status_answers_changed"  # on the connection: the records its transaction changed


def _changed(keys: list[str]) -> None:
    """The litigants' kept status answers that read these records stop being used (courts.lookup_guard) once
    the change has committed: an answer read before that epoch is never used again, whether it read the
    rows before or after the change. One mark for all the events of a transaction: the keys wait on the
    connection, and the first of its callbacks to run marks them all (a callback of a savepoint rolled
    back is dropped, its keys stay and are marked with the rest: a mark too many ends nothing wrongly)."""
    if not keys:
        return
    transaction.get_connection().__dict__.setdefault(_PENDING, set()).update(keys)
    _mark_after_commit()


def _mark_after_commit() -> None:
    # robust: whatever the mark meets, the change has committed and its request or task goes on.
    transaction.on_commit(mark_pending_changes, robust=True)


def mark_pending_changes() -> None:
    pending = transaction.get_connection().__dict__.get(_PENDING)
    if pending:
        keys = sorted(pending)
        pending.clear()
        records_changed(keys)


def timeline_of(subject: models.Model):
    return Event.objects.for_subject(subject).select_related("actor", "actor_court")


# Human names for timeline actions and states, contributed by the apps that write them (in ready()). States
# are named per record type: a filing's "received" (under review) is not a service request's "received".
_action_labels: dict[str, str] = {}
_state_labels: dict[tuple[str, str], str] = {}


def register_labels(*, actions: dict | None = None, states: dict | None = None, subject=None) -> None:
    """`states` names the states of `subject` (a model class); actions are global (they carry a prefix)."""
    _action_labels.update(actions or {})
    subject_type = subject._meta.label_lower if subject is not None else ""
    _state_labels.update({(subject_type, state): label for state, label in (states or {}).items()})


def action_label(action: str) -> str:
    return str(_action_labels.get(action, action))


def state_label(state: str, subject_type: str = "") -> str:
    return str(_state_labels.get((subject_type, state), _state_labels.get(("", state), state)))


def record_events(events: list[Event]) -> list[Event]:
    """Append many events at once (the periodic sweeps), in the transaction of the change they record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_events must run inside the transaction of the changes it records")
    created = Event.objects.bulk_create(events, batch_size=1000)
    _changed(_subjects_and_their_links(created))
    return created


def _subjects_and_their_links(events: list[Event]) -> list[str]:
    """As _record_and_its_links, for events whose records are not at hand: one query per kind of record
    that points to followed ones."""
    ids: dict[str, set] = defaultdict(set)
    for event in events:
        ids[event.subject_type].add(event.subject_id)
    keys = []
    for subject_type, pks in ids.items():
        model = apps.get_model(subject_type)
        links = _followed_links(model)
        if subject_type in FOLLOWED:
            keys.extend(_record_key(model, pk) for pk in pks)
        if links:
            for row in model.objects.filter(pk__in=pks).values_list(*(field.attname for field in links)):
                pairs = zip(links, row, strict=True)
                keys.extend(_record_key(field.related_model, pk) for field, pk in pairs if pk is not None)
    return sorted(set(keys))


def record_and_timeline(load, attempts: int = 3):
    """The record (`load()`) and its timeline as one consistent picture for a page. The two are read one after
    the other, and a delivery may commit in between: the header would say "sent" while the timeline already
    says "received" (issue 14). A state change and its event commit together, so the latest event's state is
    the record's unless it moved meanwhile; then both are read again."""
    for _attempt in range(attempts):
        record = load()
        events = list(timeline_of(record))
        latest = next((event.to_state for event in reversed(events) if event.to_state), None)
        if latest is None or latest == record.state:
            break
    return record, events


def event_reason(event) -> str:
    """An event's reason in the reader's language: a message the system wrote, or the words a person typed
    (a system reason kept as its English source text is looked up in the catalogue; a person's text is
    not in it and comes back as it is)."""
    message = (event.payload or {}).get("reason_message")
    if message:
        return render(message)
    return stored_text(event.reason)


def stored_text(text: str) -> str:
    """A reason field (a session's cancel reason, a mediation's end reason) as the reader reads it: the
    system stores its own reasons as the catalogue's English source text."""
    from django.utils.translation import gettext

    return gettext(text) if text else ""
