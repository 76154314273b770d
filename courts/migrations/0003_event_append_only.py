"""On PostgreSQL the database itself refuses to change or remove a timeline event.

The model refuses it through the ORM; this trigger also stops raw SQL, a careless admin script, or a future
bug. TRUNCATE (used by the test suite to reset tables) does not fire row triggers. SQLite has no such guard.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION courts_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'timeline events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER courts_event_append_only
    BEFORE UPDATE OR DELETE ON courts_event
    FOR EACH ROW EXECUTE FUNCTION courts_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS courts_event_append_only ON courts_event;
DROP FUNCTION IF EXISTS courts_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no placeholders: the % is PL/pgSQL's


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("courts", "0002_seed_registry")]
    operations = [migrations.RunPython(forwards, backwards)]
