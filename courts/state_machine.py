"""The one transition function every state machine uses: check the move against the machine's map (data),
save the new state with the fields the caller changed, and write the timeline event, all in the caller's
transaction and under the caller's row lock."""

from django.db import models

from courts.errors import TransitionNotAllowed
from courts.timeline import record_event


def _label(record: models.Model, state: str) -> str:
    return str(type(record).State(state).label)


def transition(
    record: models.Model,
    *,
    transitions: dict[str, tuple[str, ...]],
    to_state: str,
    action: str,
    actor=None,
    actor_court=None,
    reason: str = "",
    payload: dict | None = None,
    update_fields: tuple[str, ...] = (),
):
    allowed = transitions.get(record.state, ())
    if to_state not in allowed:
        raise TransitionNotAllowed(
            current=record.state,
            current_label=_label(record, record.state),
            target_label=_label(record, to_state),
            allowed={state: _label(record, state) for state in allowed},
        )
    from_state, record.state = record.state, to_state
    record.save(update_fields=["state", "updated_at", *update_fields])
    record_event(
        subject=record,
        action=action,
        actor=actor,
        actor_court=actor_court,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload,
    )
    return record
