"""The one transition of every state machine: check the move against the machine's map (data), save the new
state with the fields the caller changed by compare-and-set on the old state, and write the timeline event,
all in the caller's transaction.

It comes in two forms. `transition` moves a record the caller holds under its row lock (it read the record
to decide). `transition_if` moves a row the caller has not read, if it is still in the state the caller
expects, and reads it back in the same statement: for work that arrives by delivery, where the move depends
on nothing but the state ("received, if still submitted") and a round trip saved counts (courts.delivery).
"""

from django.db import models, transaction
from django.utils import timezone

from courts.errors import TransitionNotAllowed
from courts.rows import update_row, update_row_returning
from courts.timeline import record_event


def _label(model: type[models.Model], state: str) -> str:
    return str(model.State(state).label)


def _check(model, transitions: dict[str, tuple[str, ...]], from_state: str, to_state: str) -> None:
    allowed = transitions.get(from_state, ())
    if to_state not in allowed:
        raise TransitionNotAllowed(
            current=from_state,
            current_label=_label(model, from_state),
            target_label=_label(model, to_state),
            allowed={state: _label(model, state) for state in allowed},
        )


def transition(
    record: models.Model,
    *,
    transitions: dict[str, tuple[str, ...]],
    to_state: str,
    update_fields: tuple[str, ...] = (),
    **event,
):
    """Move `record` (held under the caller's row lock) to `to_state`, saving `update_fields` with it.
    `event`: the timeline event's `action` and, as the case may be, `actor`, `actor_court`, `reason` and
    `payload` (courts.timeline.record_event)."""
    _check(type(record), transitions, record.state, to_state)
    from_state, record.state = record.state, to_state
    if not update_row(record, ("state", "updated_at", *update_fields), guard="state", expected=from_state):
        # Only a caller that read the record without its lock gets here: a bug, never a user's error.
        raise RuntimeError(f"{record!r} was no longer {from_state!r}: transitions need the caller's row lock")
    record_event(subject=record, from_state=from_state, to_state=to_state, **event)
    return record


def transition_if(
    model: type[models.Model],
    pk,
    *,
    transitions: dict[str, tuple[str, ...]],
    from_state: str,
    to_state: str,
    changes: dict,
    **event,
):
    """Move row `pk` from `from_state` to `to_state` with `changes`, if it is still in `from_state`: the
    updated record, or None if it has moved on. A row that does not exist raises DoesNotExist. `event` as
    for `transition`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition_if must run inside a transaction, with its timeline event")
    if {"state", "updated_at"} & changes.keys():
        raise ValueError("changes may not name the state or updated_at: the transition sets them")
    _check(model, transitions, from_state, to_state)
    changes = {"state": to_state, "updated_at": timezone.now(), **changes}
    record = update_row_returning(model, pk, changes, guard="state", expected=from_state)
    if record is None:
        if not model._base_manager.filter(pk=pk).exists():
            raise model.DoesNotExist(f"{model._meta.object_name} {pk!r} does not exist.")
        return None
    record_event(subject=record, from_state=from_state, to_state=to_state, **event)
    return record
