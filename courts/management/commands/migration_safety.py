"""Which migration operations are unsafe to run while the previous release still serves (README, "Upgrades").

An upgrade migrates first, then upgrades the workers, then the web processes: for a while the old code runs
against the new schema, on PostgreSQL. An operation is risky when that old code breaks on it, or when it
holds a lock that stops the old code for as long as a large table takes to scan, rewrite or index:

- two releases: RemoveField, DeleteModel, RenameField, RenameModel, AlterModelTable. The old code still
  reads and writes the column or table: stop using it in one release, remove it in the next.
- old inserts fail: a NOT NULL column added (or a database default taken away) without `db_default`. Django
  adds the column with the Python default and then drops that default, so the old code's INSERTs, which
  leave the column out, fail. Give it `db_default=` or `null=True`.
- table rewrite: AlterField changing the column's type (except widening a varchar, or varchar to text), or a
  stored generated column, rewrites the table under an ACCESS EXCLUSIVE lock.
- full scan: AlterField to NOT NULL scans the whole table under ACCESS EXCLUSIVE, and the old code may still
  write NULL there.
- locks a large table: an index, a unique or db_index field, a foreign key's index or constraint, or a
  constraint, added to one of LARGE_TABLES without CONCURRENTLY (AddIndexConcurrently in a migration with
  `atomic = False`; AddConstraintNotValid then ValidateConstraint).
- review by hand: RunSQL, RunPython and operations this check does not know: it cannot tell what they do.

Operations on a table the same migration creates are safe (it is empty and no old code knows it). Dropping
an index or a constraint takes a brief ACCESS EXCLUSIVE lock and is not flagged.

Migrations that already exist and were accepted are listed in `courts/migration_reviews.py`, each with the
reason; `manage.py migration_safety` (and tests/test_migration_safety.py) fails on any risky operation that
is not there, and on a review that no longer matches an operation.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.postgres import operations as pg_operations
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from django.db.migrations import Migration, operations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.db.models import NOT_PROVIDED

from courts.migration_reviews import REVIEWS

# Tables that grow with the work (millions of rows in a few years, bench/ builds them at that size): an index
# or constraint built on one of them without CONCURRENTLY stops its writers for minutes. Named as the
# database names them, so this floor names the higher floors' tables without importing them.
LARGE_TABLES = frozenset(
    {
        "courts_event",  # the timeline: 3.1 million rows for 1 million cases in bench.status_lookup
        "courts_delivery",  # one row per change another court must see
        "courts_notification",  # notices, several per delivery
        "courts_personaldataaccess",  # every reveal of an ID number, phone or account
        "courts_issueddocument",  # every PDF fetched
        "cases_case",  # 1 million in bench.status_lookup
        "cases_filing",  # 1 million in bench.status_lookup
        "cases_party",  # 2 million in bench.status_lookup
        "cases_statuslookup",  # every public status lookup, logged
        "cases_servicerequest",  # 70,000 open in bench.request_sweep
        "cases_serviceattempt",  # each attempt of every service request
        "cases_preservationrequest",  # 30,000 open in bench.request_sweep
        "mediation_mediation",  # 10,000 open in bench.mediation, more closed
        "mediation_mediationsession",  # 100,000 in bench.mediation
        "mediation_sessionmediator",  # 137,000 bookings in bench.mediation
    }
)

TWO_RELEASES = "two releases"
OLD_INSERTS_FAIL = "old inserts fail"
REWRITE = "table rewrite"
FULL_SCAN = "full scan"
LOCKS_LARGE_TABLE = "locks a large table"
REVIEW = "review by hand"

ADVICE = {
    TWO_RELEASES: "the previous release still reads it: stop using it in one release, remove it in the next",
    OLD_INSERTS_FAIL: "NOT NULL without db_default: the previous release's INSERTs leave it out and fail "
    "once Django drops the temporary default; give it db_default= or null=True",
    REWRITE: "the column's type changes: PostgreSQL rewrites the table under an ACCESS EXCLUSIVE lock; add "
    "a new column, fill it, switch over in the next release",
    FULL_SCAN: "SET NOT NULL scans the table under an ACCESS EXCLUSIVE lock and the previous release may "
    "still write NULL: fill it, add CHECK (... IS NOT NULL) NOT VALID, validate it, a release later",
    LOCKS_LARGE_TABLE: "built under a lock on a large table: use AddIndexConcurrently (atomic = False), or "
    "AddConstraintNotValid then ValidateConstraint",
    REVIEW: "the check cannot tell what it does: read it, time it on a copy of production's size",
}

# No database effect, or one that is quick and takes no lock the old code waits on for long.
SAFE_OPERATIONS = (
    operations.CreateModel,
    operations.AlterModelOptions,
    operations.AlterModelManagers,
    operations.AlterModelTableComment,
    operations.RemoveIndex,
    operations.RenameIndex,
    operations.RemoveConstraint,
    operations.AlterConstraint,
    pg_operations.AddIndexConcurrently,
    pg_operations.RemoveIndexConcurrently,
    pg_operations.AddConstraintNotValid,
    pg_operations.ValidateConstraint,
    pg_operations.CreateExtension,
)
TWO_RELEASE_OPERATIONS = (
    operations.RemoveField,
    operations.DeleteModel,
    operations.RenameField,
    operations.RenameModel,
    operations.AlterModelTable,
)

_VARCHAR = re.compile(r"varchar\((\d+)\)")


@dataclass(frozen=True)
class Finding:
    app_label: str
    migration: str
    index: int
    operation: str  # describe(op): what a review is checked against
    risks: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.app_label}.{self.migration}#{self.index}"

    def explain(self) -> str:
        advice = "; ".join(f"{risk}: {ADVICE[risk]}" for risk in self.risks)
        return f"{self.key} ({self.operation}): {advice}"


def describe(op) -> str:
    """The operation as its review names it (a RunPython by its function, a RunSQL by its start)."""
    if isinstance(op, operations.RunPython):
        return f"RunPython {getattr(op.code, '__qualname__', repr(op.code))}"
    if isinstance(op, operations.RunSQL):
        sql = op.sql if isinstance(op.sql, str) else "; ".join(map(str, op.sql))
        return f"RunSQL {' '.join(sql.split())[:60]}"
    return op.describe()


def _postgres() -> PostgresWrapper:
    """PostgreSQL's column types, without a connection (the check runs on SQLite too)."""
    settings_dict = {**connections["default"].settings_dict, "ENGINE": "django.db.backends.postgresql"}
    return PostgresWrapper(settings_dict, alias="migration_safety")


def _table(state: ProjectState, app_label: str, model_name: str) -> str | None:
    """The model's table, or None if it has none of its own (proxy, unmanaged)."""
    model = state.models[app_label, model_name.lower()]
    if model.options.get("proxy") or not model.options.get("managed", True):
        return None
    return model.options.get("db_table") or f"{app_label}_{model.name_lower}"


def _builds_index(field) -> bool:
    return bool(field.unique or field.db_index)  # a ForeignKey has db_index=True unless told otherwise


def _added_field_risks(field, large: bool) -> list[str]:
    if field.many_to_many:
        return []  # a table of its own, new
    risks = []
    if not field.null and field.db_default is NOT_PROVIDED and not field.generated:
        risks.append(OLD_INSERTS_FAIL)
    if large and field.generated and field.db_persist:
        risks.append(REWRITE)
    if large and (_builds_index(field) or (field.is_relation and field.db_constraint)):
        risks.append(LOCKS_LARGE_TABLE)
    return risks


def _column_type(state: ProjectState, app_label: str, model_name: str, name: str, pg) -> str:
    return state.apps.get_model(app_label, model_name)._meta.get_field(name).db_parameters(pg)["type"]


def _widens(old_type: str, new_type: str) -> bool:
    old, new = _VARCHAR.fullmatch(old_type), _VARCHAR.fullmatch(new_type)
    return bool(old and (new_type == "text" or (new and int(new[1]) >= int(old[1]))))


def _altered_field_risks(op, app_label: str, before: ProjectState, after: ProjectState, large: bool, pg):
    old = before.models[app_label, op.model_name_lower].fields[op.name]
    new = after.models[app_label, op.model_name_lower].fields[op.name]
    if old.many_to_many or new.many_to_many:
        return []
    risks = []
    old_type = _column_type(before, app_label, op.model_name, op.name, pg)
    new_type = _column_type(after, app_label, op.model_name, op.name, pg)
    if (old_type != new_type and not _widens(old_type, new_type)) or old.primary_key != new.primary_key:
        risks.append(REWRITE)
    if old.null and not new.null:
        risks.append(FULL_SCAN)
    if not new.null and old.db_default is not NOT_PROVIDED and new.db_default is NOT_PROVIDED:
        risks.append(OLD_INSERTS_FAIL)
    indexed = (_builds_index(new) and not _builds_index(old)) or (new.unique and not old.unique)
    constrained = new.is_relation and new.db_constraint and not (old.is_relation and old.db_constraint)
    if large and (indexed or constrained):
        risks.append(LOCKS_LARGE_TABLE)
    return risks


def _operation_risks(op, app_label: str, before: ProjectState, after: ProjectState, created: set, pg):
    """The risks of one operation, given the project's state before and after it."""
    if isinstance(op, SAFE_OPERATIONS):
        return []
    if isinstance(op, operations.SeparateDatabaseAndState):
        # Only the database operations touch the database; they run from the state before.
        risks, state = [], before.clone()
        for inner in op.database_operations:
            inner_before = state.clone()
            inner.state_forwards(app_label, state)
            risks += _operation_risks(inner, app_label, inner_before, state, created, pg)
        return list(dict.fromkeys(risks))
    if isinstance(op, operations.RunSQL | operations.RunPython):
        return [REVIEW]
    model_name = getattr(op, "model_name", None) or getattr(op, "name", None)
    if isinstance(op, operations.RenameModel):
        model_name = op.old_name
    if not isinstance(op, operations.base.Operation) or model_name is None:
        return [REVIEW]
    if (app_label, model_name.lower()) in created:
        return []  # a table this migration creates: empty, and no old code knows it
    table = _table(before, app_label, model_name)
    if table is None:
        return []
    large = table in LARGE_TABLES
    if isinstance(op, TWO_RELEASE_OPERATIONS):
        return [TWO_RELEASES]
    if isinstance(op, operations.AddField):
        return _added_field_risks(op.field, large)
    if isinstance(op, operations.AlterField):
        return _altered_field_risks(op, app_label, before, after, large, pg)
    if isinstance(op, operations.AddIndex | operations.AddConstraint):
        return [LOCKS_LARGE_TABLE] if large else []
    if isinstance(op, operations.AlterUniqueTogether | operations.AlterIndexTogether):
        old = before.models[app_label, op.name_lower].options.get(op.option_name) or set()
        return [LOCKS_LARGE_TABLE] if large and set(op.option_value or ()) - set(old) else []
    return [REVIEW]


def migration_findings(migration: Migration, state: ProjectState) -> list[Finding]:
    """The risky operations of `migration`, applied to `state` (the project's state before it)."""
    pg = _postgres()
    state = state.clone()
    created: set[tuple[str, str]] = set()
    findings = []
    for index, op in enumerate(migration.operations):
        before = state.clone()
        op.state_forwards(migration.app_label, state)
        risks = _operation_risks(op, migration.app_label, before, state, created, pg)
        if isinstance(op, operations.CreateModel):
            created.add((migration.app_label, op.name_lower))
        if risks:
            findings.append(
                Finding(migration.app_label, migration.name, index, describe(op), tuple(dict.fromkeys(risks)))
            )
    return findings


def project_apps() -> list[str]:
    """The project's own apps (those under BASE_DIR, not installed packages)."""
    base = Path(settings.BASE_DIR).resolve()
    return sorted(
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and "site-packages" not in Path(config.path).parts
    )


def project_findings() -> list[Finding]:
    """Every risky operation of every migration of the project's apps."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    labels = set(project_apps())
    findings = []
    for key in sorted(k for k in loader.disk_migrations if k[0] in labels):
        migration = loader.disk_migrations[key]
        findings += migration_findings(migration, loader.project_state(key, at_end=False))
    return findings


def unreviewed(findings: list[Finding], reviews: dict[str, tuple[str, str]] = REVIEWS) -> list[Finding]:
    """Findings with no review, or whose review describes another operation (a migration edited since)."""
    return [f for f in findings if reviews.get(f.key, ("", ""))[0] != f.operation]


def stale_reviews(findings: list[Finding], reviews: dict[str, tuple[str, str]] = REVIEWS) -> list[str]:
    """Reviews that no longer match a risky operation: the list must say what it covers, no more."""
    found = {f.key: f.operation for f in findings}
    return [key for key, (operation, _) in reviews.items() if found.get(key) != operation]


class Command(BaseCommand):
    help = (
        "List the migration operations that are unsafe while the previous release still serves (PostgreSQL); "
        "fail on any not reviewed in courts/migration_reviews.py."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="also list the reviewed ones, with their reason"
        )

    def handle(self, *args, **options):
        findings = project_findings()
        missing, stale = unreviewed(findings), stale_reviews(findings)
        if options["all"]:
            for finding in findings:
                if finding not in missing:
                    reason = REVIEWS[finding.key][1]
                    self.stdout.write(
                        f"reviewed {finding.key} ({finding.operation}) [{', '.join(finding.risks)}]"
                    )
                    self.stdout.write(f"    {reason}")
        for finding in missing:
            self.stderr.write(f"NOT REVIEWED {finding.explain()}")
        for key in stale:
            self.stderr.write(f"STALE REVIEW {key}: no such risky operation (any more); remove or correct it")
        reviewed = len(findings) - len(missing)
        summary = f"{len(findings)} risky operations in {', '.join(project_apps())}: {reviewed} reviewed"
        if missing or stale:
            raise CommandError(
                f"{summary}, {len(missing)} not reviewed, {len(stale)} stale reviews. Make the migration "
                "safe (README, Upgrades), or add its key to courts/migration_reviews.py with a reason."
            )
        self.stdout.write(f"{summary}, none left.")
