"""On PostgreSQL the database itself refuses a double booking, so two bookings made at the same moment cannot
both succeed (the service's own check, which explains the conflict, sees neither while both are
uncommitted). An exclusion constraint makes the second insert wait for the first transaction and fail if it
committed.

- a room: two in-person sessions not cancelled, in the same tribunal and room, whose times overlap;
- a mediator: two active bookings of the same mediator whose times overlap (in any mediation, any court).

Ranges are half-open ([start, end)): a session may start when the previous one ends. btree_gist supplies the
equality operators for the integer and text columns (a trusted extension since PostgreSQL 13). SQLite has
no such constraint; the service checks inside its write-locked (IMMEDIATE) transaction there.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE mediation_mediationsession ADD CONSTRAINT session_room_not_double_booked
    EXCLUDE USING gist (
        tribunal_id WITH =, room WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&
    ) WHERE (mode = 'in_person' AND state <> 'cancelled' AND room <> '');
ALTER TABLE mediation_sessionmediator ADD CONSTRAINT mediator_not_double_booked
    EXCLUDE USING gist (
        mediator_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&
    ) WHERE (active);
"""

DROP = """
ALTER TABLE mediation_mediationsession DROP CONSTRAINT IF EXISTS session_room_not_double_booked;
ALTER TABLE mediation_sessionmediator DROP CONSTRAINT IF EXISTS mediator_not_double_booked;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
