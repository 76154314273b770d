"""Migrations safe to run while the previous release still serves (issue 12, zero-downtime upgrades).

The project's own migrations are checked by `manage.py migration_safety`: every risky operation must be
reviewed in courts/migration_reviews.py. Synthetic migrations show what the check calls risky and what it
lets through.
"""

import pytest
from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    AddIndexConcurrently,
    RemoveIndexConcurrently,
)
from django.core.management import CommandError, call_command
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from courts.management.commands.migration_safety import (
    ADVICE,
    FULL_SCAN,
    LARGE_TABLES,
    LOCKS_LARGE_TABLE,
    OLD_INSERTS_FAIL,
    REVIEW,
    REWRITE,
    TWO_RELEASES,
    Finding,
    migration_findings,
    project_apps,
    project_findings,
    stale_reviews,
    unreviewed,
)
from courts.migration_reviews import REVIEWS

# Nothing here reads the database, but the suite's session teardown (close_stray_connections in
# tests/conftest.py) connects to the test database, which pytest-django creates only if some test asks for it.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def latest_state():
    """The project's state after its last migrations: where the next migration starts from."""
    return MigrationLoader(None, ignore_no_migrations=True).project_state()


def risks_of(state, *operations, app_label="courts") -> list[tuple[str, ...]]:
    migration = migrations.Migration("0999_synthetic", app_label)
    migration.operations = list(operations)
    return [finding.risks for finding in migration_findings(migration, state)]


# --- The project's migrations ---------------------------------------------------------------------------


def test_the_check_walks_the_three_apps():
    assert {"courts", "cases", "mediation"} <= set(project_apps())
    assert not {"auth", "admin", "authtoken"} & set(project_apps())


def test_every_risky_operation_of_the_project_is_reviewed():
    missing = unreviewed(project_findings())
    assert not missing, (
        "risky migration operations (PostgreSQL, while the previous release still serves):\n"
        + "\n".join(finding.explain() for finding in missing)
        + "\nMake each safe (README, Upgrades), or add its key to courts/migration_reviews.py with a reason."
    )


def test_every_review_names_a_risky_operation_that_is_there():
    stale = stale_reviews(project_findings())
    assert not stale, f"reviews matching no risky operation (remove or correct them): {stale}"


def test_every_review_gives_a_reason():
    assert all(operation and len(reason) > 10 for operation, reason in REVIEWS.values())


def test_the_large_tables_exist():
    from django.apps import apps

    tables = {model._meta.db_table for model in apps.get_models()}
    assert tables >= LARGE_TABLES, LARGE_TABLES - tables


def test_the_command_passes_and_counts_what_was_reviewed(capsys):
    call_command("migration_safety")
    out = capsys.readouterr().out
    assert f"{len(project_findings())} risky operations" in out and "none left" in out


def test_the_command_lists_the_reviews_with_their_reasons(capsys):
    call_command("migration_safety", "--all")
    out = capsys.readouterr().out
    assert "cases.0004_first_receipt_one_type_per_category#0 (Remove field note from filing)" in out
    assert "[two releases]" in out and REVIEWS["cases.0013_status_lookup_log_entry#0"][1] in out


def test_the_command_fails_naming_an_unreviewed_operation_and_what_to_do(monkeypatch, capsys):
    from courts.management.commands import migration_safety

    fewer = {key: value for key, value in REVIEWS.items() if key != "cases.0013_status_lookup_log_entry#0"}
    monkeypatch.setattr(migration_safety, "REVIEWS", fewer)
    monkeypatch.setattr(migration_safety.unreviewed, "__defaults__", (fewer,))
    monkeypatch.setattr(migration_safety.stale_reviews, "__defaults__", (fewer,))
    with pytest.raises(CommandError, match="1 not reviewed"):
        call_command("migration_safety")
    err = capsys.readouterr().err
    assert "NOT REVIEWED cases.0013_status_lookup_log_entry#0 (Add field entry to statuslookup)" in err
    assert f"{LOCKS_LARGE_TABLE}: {ADVICE[LOCKS_LARGE_TABLE]}" in err


def test_a_review_of_another_operation_at_that_place_does_not_count():
    finding = Finding("cases", "0099_edited", 0, "Remove field note from filing", (TWO_RELEASES,))
    reviews = {"cases.0099_edited#0": ("Add field note to filing", "before the first release")}
    assert unreviewed([finding], reviews) == [finding]
    assert stale_reviews([finding], reviews) == ["cases.0099_edited#0"]


# --- What the check calls risky ---------------------------------------------------------------------------

RISKY = {
    "a column removed from the timeline": (migrations.RemoveField("event", "reason"), TWO_RELEASES),
    "a table dropped": (migrations.DeleteModel("AttemptCounter"), TWO_RELEASES),
    "a column renamed": (migrations.RenameField("event", "reason", "why"), TWO_RELEASES),
    "a table renamed": (migrations.RenameModel("Sequence", "Counter"), TWO_RELEASES),
    "a table moved": (migrations.AlterModelTable("event", "courts_timeline"), TWO_RELEASES),
    "a NOT NULL column with a Python default": (
        migrations.AddField("event", "channel", models.CharField(max_length=16, default="web")),
        OLD_INSERTS_FAIL,
    ),
    "a NOT NULL column on a small table": (
        migrations.AddField("court", "motto", models.TextField(blank=True)),
        OLD_INSERTS_FAIL,
    ),
    "an index on the timeline": (
        migrations.AddIndex("event", models.Index(fields=["action"], name="event_action_idx")),
        LOCKS_LARGE_TABLE,
    ),
    "a check constraint on deliveries": (
        migrations.AddConstraint(
            "delivery", models.CheckConstraint(condition=models.Q(attempts__lte=100), name="few_attempts")
        ),
        LOCKS_LARGE_TABLE,
    ),
    "a nullable unique column on deliveries": (
        migrations.AddField("delivery", "token", models.CharField(max_length=32, null=True, unique=True)),
        LOCKS_LARGE_TABLE,
    ),
    "a nullable foreign key on the timeline": (
        migrations.AddField(
            "event", "tribunal", models.ForeignKey("courts.tribunal", models.PROTECT, null=True)
        ),
        LOCKS_LARGE_TABLE,
    ),
    "a column's type changed": (
        migrations.AlterField("delivery", "attempts", models.BigIntegerField(default=0)),
        REWRITE,
    ),
    "a varchar made shorter": (
        migrations.AlterField("delivery", "kind", models.CharField(max_length=32)),
        REWRITE,
    ),
    "a column made NOT NULL": (
        migrations.AlterField("delivery", "enqueued_at", models.DateTimeField()),
        FULL_SCAN,
    ),
    "an existing column indexed on a large table": (
        migrations.AlterField("event", "action", models.CharField(max_length=64, db_index=True)),
        LOCKS_LARGE_TABLE,
    ),
    "raw SQL": (migrations.RunSQL("UPDATE courts_event SET reason = ''"), REVIEW),
    "Python code": (migrations.RunPython(migrations.RunPython.noop), REVIEW),
    "a removal hidden in SeparateDatabaseAndState": (
        migrations.SeparateDatabaseAndState(database_operations=[migrations.RemoveField("event", "reason")]),
        TWO_RELEASES,
    ),
}


@pytest.mark.parametrize("operation, risk", RISKY.values(), ids=RISKY.keys())
def test_it_flags(latest_state, operation, risk):
    assert risks_of(latest_state, operation) == [(risk,)]


def test_the_tables_in_the_examples_are_declared_large_or_small_as_meant():
    assert {"courts_event", "courts_delivery"} <= LARGE_TABLES
    assert "courts_court" not in LARGE_TABLES


# --- What it lets through ---------------------------------------------------------------------------------

SAFE = {
    "an index built concurrently": AddIndexConcurrently(
        "event", models.Index(fields=["action"], name="event_action_idx")
    ),
    "an index dropped concurrently": RemoveIndexConcurrently("event", "event_subject_idx"),
    "a check constraint not validated yet": AddConstraintNotValid(
        "delivery", models.CheckConstraint(condition=models.Q(attempts__lte=100), name="few_attempts")
    ),
    "a nullable column": migrations.AddField("event", "channel", models.CharField(max_length=16, null=True)),
    "a NOT NULL column with a database default": migrations.AddField(
        "event", "channel", models.CharField(max_length=16, default="web", db_default="web")
    ),
    "a varchar made longer": migrations.AlterField("delivery", "kind", models.CharField(max_length=128)),
    "a varchar made text": migrations.AlterField("delivery", "kind", models.TextField()),
    "choices changed": migrations.AlterField(
        "delivery",
        "state",
        models.CharField(max_length=16, default="pending", choices=[("pending", "p"), ("gone", "g")]),
    ),
    "a column made nullable": migrations.AlterField("event", "reason", models.TextField(null=True)),
    "an index on a small table": migrations.AddIndex(
        "court", models.Index(fields=["queue_name"], name="court_queue_idx")
    ),
    "options only": migrations.AlterModelOptions("event", {"ordering": ["id"]}),
    "a removal from the models only (the first of two releases)": migrations.SeparateDatabaseAndState(
        state_operations=[migrations.RemoveField("event", "reason")]
    ),
}


@pytest.mark.parametrize("operation", SAFE.values(), ids=SAFE.keys())
def test_it_lets_through(latest_state, operation):
    assert risks_of(latest_state, operation) == []


def test_a_new_table_takes_its_indexes_and_fields_in_the_same_migration(latest_state):
    create = migrations.CreateModel(
        "Receipt",
        [("id", models.BigAutoField(primary_key=True)), ("number", models.CharField(max_length=32))],
    )
    index = migrations.AddIndex("receipt", models.Index(fields=["number"], name="receipt_number_idx"))
    column = migrations.AddField("receipt", "court", models.ForeignKey("courts.court", models.PROTECT))
    assert risks_of(latest_state, create, index, column) == []


def test_each_risky_operation_is_named_by_its_place(latest_state):
    migration = migrations.Migration("0999_synthetic", "courts")
    migration.operations = [
        migrations.AddField("event", "channel", models.CharField(max_length=16, null=True)),
        migrations.RemoveField("event", "reason"),
    ]
    [finding] = migration_findings(migration, latest_state)
    assert finding.key == "courts.0999_synthetic#1"
    assert finding.explain().startswith(
        "courts.0999_synthetic#1 (Remove field reason from event): two releases"
    )


def test_several_risks_of_one_operation_are_all_named(latest_state):
    field = models.CharField(max_length=16, default="web", db_index=True)
    assert risks_of(latest_state, migrations.AddField("event", "channel", field)) == [
        (OLD_INSERTS_FAIL, LOCKS_LARGE_TABLE)
    ]
