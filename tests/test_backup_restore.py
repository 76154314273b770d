"""Backups and restore (issue 12, item 5): scripts/backup.py and scripts/restore.py run as an operator runs
them, as subprocesses, on records made through the services; the restore goes into a fresh database
(`<test database>_restore`, dropped at the end) and is read back here with psycopg, apart from what the
restore script checks of itself.

The records must be committed for pg_dump to see them, so these tests are transactional (and end with the
flush that empties every table; the `courts` fixture puts the seed rows back)."""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from psycopg import sql

from cases.models import FilingAttachment, RequestAttachment, ServiceRequest
from cases.services import requests as common
from cases.services.filings import filing_attach, filing_register
from courts.models import Event
from tests.cases.conftest import deliver_pending, submit
from tests.cases.test_filing_api import PNG
from tests.cases.test_request_services import send_service
from tests.cases.test_scans import pdf_of
from tests.conftest import requires_postgres

ROOT = Path(__file__).resolve().parent.parent
# The tables a restore must bring back row for row (every table is checked by the restore script itself).
KEY_TABLES = [
    "courts_event",
    "cases_filing",
    "cases_case",
    "cases_party",
    "cases_filingattachment",
    "cases_servicerequest",
    "cases_requestattachment",
]


def database_url(name: str) -> str:
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    address = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgres://{credentials}@{address}/{quote(name, safe='')}"


def run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """A script with the project's Python, in an environment like the application's."""
    environment = {**os.environ, "DEBUG": "1", **env}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def drop_database(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def database_exists(name: str) -> bool:
    with psycopg.connect(database_url("postgres"), autocommit=True) as server:
        return bool(server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


@pytest.fixture
def restore_target():
    """A database name that is the test database's with `_restore`, dropped before and after."""
    name = f"{connection.settings_dict['NAME']}_restore"
    drop_database(name)  # left over by an interrupted run
    yield name
    drop_database(name)


@pytest.fixture
def scene(settings, tmp_path, wujiang_clerk, qingpu_clerk, courts):
    """Filed at Wujiang for Qingpu, a scan attached, registered as a case; a service request from the case
    to Jiashan with a document of its own: timeline events, parties, two kinds of attachment."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    filing, _code = submit(wujiang_clerk, courts)
    deliver_pending()
    scan = filing_attach(
        filing_id=filing.pk, actor=qingpu_clerk, upload=SimpleUploadedFile("起诉状.pdf", pdf_of(2))
    )
    case = filing_register(filing_id=filing.pk, actor=qingpu_clerk)
    request = send_service(qingpu_clerk, case, courts)
    common.request_attach(
        ServiceRequest,
        request_id=request.pk,
        actor=qingpu_clerk,
        upload=SimpleUploadedFile("送达地址确认书.png", PNG),
    )
    assert FilingAttachment.objects.count() == RequestAttachment.objects.count() == 1
    return {"media": media, "filing": filing, "case": case, "scan": scan}


def back_up(scene, target: Path) -> subprocess.CompletedProcess:
    return run(
        "backup.py",
        "--to",
        str(target),
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
        MEDIA_ROOT=str(scene["media"]),
    )


def restore(source: Path, database: str, media_root: Path, *extra: str) -> subprocess.CompletedProcess:
    return run(
        "restore.py",
        "--from",
        str(source),
        "--database-url",
        database_url(database),
        "--media-root",
        str(media_root),
        *extra,
    )


def table_digest(db: psycopg.Connection, table: str) -> tuple[int, str]:
    """The rows as PostgreSQL prints them, in id order: equal only if every column of every row is."""
    db.execute("SET TIME ZONE 'UTC'")
    statement = sql.SQL(
        "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), '')) FROM {} AS t"
    ).format(sql.Identifier(table))
    return db.execute(statement).fetchone()


def attachment_rows(db: psycopg.Connection, table: str) -> list[tuple]:
    statement = sql.SQL(
        "SELECT id, file, original_name, content_type, size, sha256, page_count, uploaded_by_id, uploaded_at"
        " FROM {} ORDER BY id"
    ).format(sql.Identifier(table))
    return db.execute(statement).fetchall()


def timeline(db: psycopg.Connection) -> list[tuple]:
    return db.execute(
        "SELECT id, subject_type, subject_id, action, from_state, to_state, actor_id, payload, created_at"
        " FROM courts_event ORDER BY id"
    ).fetchall()


@requires_postgres()
@pytest.mark.django_db(transaction=True)
def test_a_restore_into_a_fresh_database_has_the_same_records_timeline_files_and_trigger(
    scene, tmp_path, restore_target
):
    backup_dir = tmp_path / "backup"
    backed_up = back_up(scene, backup_dir)
    assert backed_up.returncode == 0, backed_up.stderr
    assert {p.name for p in backup_dir.iterdir()} == {
        "database.dump",
        "media.tar",
        "MANIFEST.json",
        "SHA256SUMS",
    }
    manifest = json.loads((backup_dir / "MANIFEST.json").read_text())
    assert manifest["tables"]["courts_event"]["rows"] == Event.objects.count()
    assert manifest["migrations"]["courts"] >= "0003_event_append_only"
    assert {(row["table"], row["sha256"]) for row in manifest["attachments"]} == {
        ("cases_filingattachment", scene["scan"].sha256),
        ("cases_requestattachment", RequestAttachment.objects.get().sha256),
    }
    sums = dict(reversed(line.split("  ")) for line in (backup_dir / "SHA256SUMS").read_text().splitlines())
    assert sums["database.dump"] == sha256(backup_dir / "database.dump")

    media_root = tmp_path / "restored-media"
    restored = restore(backup_dir, restore_target, media_root)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("Restored ") and "courts_event_append_only" in restored.stdout

    source_name = connection.settings_dict["NAME"]
    with (
        psycopg.connect(database_url(source_name), autocommit=True) as source,
        psycopg.connect(database_url(restore_target), autocommit=True) as copy,
    ):
        for table in KEY_TABLES:
            rows, digest = table_digest(source, table)
            assert rows > 0, table
            assert table_digest(copy, table) == (rows, digest), table
        events = timeline(source)
        assert timeline(copy) == events
        assert {"filing.submit", "filing.attach", "case.register"} <= {event[3] for event in events}

        for table in ("cases_filingattachment", "cases_requestattachment"):
            rows = attachment_rows(copy, table)
            assert rows == attachment_rows(source, table)
            for _id, name, _original, _type, _size, recorded, *_ in rows:
                assert sha256(media_root / name) == sha256(scene["media"] / name) == recorded

        # The timeline's guard came back with it: the restored database refuses to rewrite history.
        first = events[0][0]
        for statement in (
            "UPDATE courts_event SET reason = 'rewritten' WHERE id = %s",
            "DELETE FROM courts_event WHERE id = %s",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                copy.execute(statement, [first])
        assert timeline(copy) == events

    # The target is no longer empty: refused, unless told to replace it.
    again = restore(backup_dir, restore_target, tmp_path / "elsewhere")
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        f"restore: database {restore_target} is not empty: give a new one, or --replace to drop it"
    ]
    replaced = restore(backup_dir, restore_target, media_root, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert "(dropped and created again)" in replaced.stdout


@requires_postgres()
@pytest.mark.django_db(transaction=True)
def test_the_restore_refuses_a_backup_whose_attachment_was_damaged(scene, tmp_path, restore_target):
    backup_dir = tmp_path / "backup"
    assert back_up(scene, backup_dir).returncode == 0
    damaged = scene["scan"].file.name
    archive_path = backup_dir / "media.tar"
    with tarfile.open(archive_path) as archive:
        offset = archive.getmember(damaged).offset_data
    with open(archive_path, "r+b") as stream:
        stream.seek(offset + 100)
        byte = stream.read(1)
        stream.seek(offset + 100)
        stream.write(bytes([byte[0] ^ 0x01]))

    media_root = tmp_path / "restored-media"
    refused = restore(backup_dir, restore_target, media_root)
    assert refused.returncode == 1
    assert f"restore: {damaged}: damaged in media.tar" in refused.stderr
    assert "nothing restored" in refused.stderr
    # Refused before anything was touched: no database made, no folder written.
    assert not database_exists(restore_target)
    assert not media_root.exists()


def test_the_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    refused = run(
        "backup.py", "--to", str(tmp_path / "backup"), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "backup: DATABASE_URL is not PostgreSQL (sqlite3): only a PostgreSQL database is backed up"
        " (set DATABASE_URL=postgres://...)"
    ]
    assert not (tmp_path / "backup").exists()


@requires_postgres()
def test_the_backup_refuses_without_pg_dump(tmp_path):
    refused = run(
        "backup.py",
        "--to",
        str(tmp_path / "backup"),
        "--pg-bin",
        str(tmp_path / "no-such-bin"),
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
    )
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backup: no pg_dump of PostgreSQL ")
    assert not (tmp_path / "backup").exists()
