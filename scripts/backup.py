"""Back up the tracker: the PostgreSQL database and the attachments' folder, with a manifest to check a
restore against (scripts/backup_contents.py says what is in it; scripts/restore.py puts it back).

    .venv/bin/python scripts/backup.py [--to DIR] [--pg-bin DIR]

It reads DATABASE_URL and MEDIA_ROOT as the application does (config.settings, so the same environment,
keys included, must be set) and writes var/backups/<UTC time>/ unless told --to. The dump, the manifest's
counts and digests and its list of attachments are all read in one exported snapshot, so they describe the
same moment even while the courts keep working; the folder is archived after it, and since a scan's file is
written before the row that names it commits, every file the dump names is in the archive.

Exit status: 0 written and consistent; 1 written, but some attachment's file is missing or no longer has its
recorded SHA-256 (listed, and in the manifest's "problems"); 2 refused, nothing written.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import backup_contents as contents
from psycopg import IsolationLevel

ROOT = Path(__file__).resolve().parent.parent
# Options of Django's PostgreSQL backend that are not libpq connection parameters.
DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "assume_role", "pool", "prepare_threshold"}


def refuse(message: str) -> int:
    print(f"backup: {message}", file=sys.stderr)
    return 2


def load_settings():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    return settings


def connection_params(database: dict) -> dict:
    params = {
        "dbname": database.get("NAME"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "host": database.get("HOST"),
        "port": str(database.get("PORT") or ""),
    }
    params.update(
        {
            key: value
            for key, value in (database.get("OPTIONS") or {}).items()
            if key not in DJANGO_ONLY_OPTIONS
        }
    )
    return {key: value for key, value in params.items() if value not in (None, "")}


def attachment_fields() -> list[dict]:
    """Every FileField of every model, with the column that keeps the file's SHA-256 where there is one
    (courts.models.StoredScan records it at upload)."""
    from django.apps import apps
    from django.db import models

    found = []
    for model in apps.get_models():
        concrete = model._meta.concrete_fields
        sha = next((field.column for field in concrete if field.name == "sha256"), None)
        for field in concrete:
            if isinstance(field, models.FileField):
                found.append(
                    {
                        "model": model._meta.label,
                        "table": model._meta.db_table,
                        "pk_column": model._meta.pk.column,
                        "file_column": field.column,
                        "sha256_column": sha,
                    }
                )
    return found


def archive_media(media_root: Path, target: Path) -> tuple[dict[str, dict], list[str]]:
    """media.tar of every regular file under MEDIA_ROOT, hashed as it is read into the archive."""
    files: dict[str, dict] = {}
    skipped: list[str] = []
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                name = path.relative_to(media_root).as_posix()
                if path.is_symlink() or not (path.is_file() or path.is_dir()):
                    skipped.append(name)  # a link could point anywhere; nothing the tracker writes is one
                    continue
                if path.is_dir():
                    continue
                info = archive.gettarinfo(str(path), arcname=name)
                with open(path, "rb") as stream:
                    reader = contents.HashingReader(stream)
                    archive.addfile(info, reader)
                files[name] = {"size": info.size, "sha256": reader.digest.hexdigest()}
    return files, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--to", type=Path, help="the backup directory (default var/backups/<UTC time>/)")
    parser.add_argument("--pg-bin", help="the directory of pg_dump, if not the server's version's own")
    args = parser.parse_args(argv)
    started = time.monotonic()

    try:
        settings = load_settings()
    except Exception as error:  # a missing key or a bad value: the settings' own message says which
        return refuse(f"the settings did not load: {error}")
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return refuse(
            f"DATABASE_URL is not PostgreSQL ({database['ENGINE'].rsplit('.', 1)[-1]}): only a PostgreSQL"
            " database is backed up (set DATABASE_URL=postgres://...)"
        )
    params = connection_params(database)
    media_root = Path(settings.MEDIA_ROOT)
    now = dt.datetime.now(dt.UTC)
    target = args.to or Path(settings.VAR_DIR) / "backups" / now.strftime("%Y%m%dT%H%M%SZ")
    if target.exists() and any(target.iterdir()):
        return refuse(f"{target} is not empty: give a new directory")

    try:
        connection = contents.connect(params)
    except Exception as error:
        return refuse(f"cannot connect to database {params.get('dbname')}: {str(error).strip()}")
    with connection:
        server_major = connection.info.server_version // 10000
        server_version = connection.execute("SHOW server_version").fetchone()[0]
        tool = contents.pg_tool("pg_dump", server_major, args.pg_bin)
        if tool is None:
            where = args.pg_bin or "PATH or /usr/lib/postgresql/*/bin"
            return refuse(
                f"no pg_dump of PostgreSQL {server_major} or newer in {where}"
                f" (Debian: apt-get install postgresql-client-{server_major})"
            )
        pg_dump, pg_dump_major = tool
        # Names, addresses and case papers in the clear: for the tracker user only, whatever the umask.
        os.umask(0o077)
        target.mkdir(mode=0o700, parents=True, exist_ok=True)

        # One snapshot for the dump and everything the manifest says about it.
        connection.autocommit = False
        connection.isolation_level = IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        conninfo, env = contents.client_command(params)
        dump = target / contents.DUMP
        done = subprocess.run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                f"--dbname={conninfo}",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            dump.unlink(missing_ok=True)
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            return refuse(f"pg_dump failed: {last}")
        fields = attachment_fields()
        tables = contents.table_digests(connection)
        migrations = contents.migration_state(connection)
        triggers = contents.triggers(connection)
        attachments = contents.attachment_rows(connection, fields)
        connection.rollback()

    files, skipped = archive_media(media_root, target / contents.MEDIA)
    problems = [f"{name}: not a regular file, left out of {contents.MEDIA}" for name in skipped]
    for row in attachments:
        stored = files.get(row["file"])
        label = f"{row['table']} #{row['id']}"
        if stored is None:
            problems.append(f"the file of {label} is missing from MEDIA_ROOT")
        elif row["sha256"] and stored["sha256"] != row["sha256"]:
            problems.append(f"the file of {label} no longer has its recorded SHA-256")

    manifest = {
        "format": contents.FORMAT,
        "created_at": now.isoformat(timespec="seconds"),
        "database": {
            "name": params.get("dbname"),
            "server_version": server_version,
            "pg_dump": f"{pg_dump} ({pg_dump_major})",
            "file": contents.DUMP,
            "size": dump.stat().st_size,
            "sha256": contents.sha256_of(dump),
        },
        "migrations": migrations,
        "tables": tables,
        "triggers": triggers,
        "attachment_fields": fields,
        "attachments": attachments,
        "media": {
            "root": str(media_root),
            "file": contents.MEDIA,
            "sha256": contents.sha256_of(target / contents.MEDIA),
            "files": files,
        },
        "problems": problems,
    }
    (target / contents.MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    sums = [
        f"{manifest['database']['sha256']}  {contents.DUMP}",
        f"{manifest['media']['sha256']}  {contents.MEDIA}",
        f"{contents.sha256_of(target / contents.MANIFEST)}  {contents.MANIFEST}",
    ]
    (target / contents.SUMS).write_text("\n".join(sums) + "\n")

    rows = sum(table["rows"] for table in tables.values())
    size = sum(file["size"] for file in files.values())
    print(
        f"Backed up database {params.get('dbname')} (PostgreSQL {server_version}; {len(tables)} tables,"
        f" {rows} rows, {tables.get('courts_event', {}).get('rows', 0)} timeline events) and"
        f" {len(files)} files of {media_root} ({size} bytes; {len(attachments)} attachments) into {target}"
        f" in {time.monotonic() - started:.1f} s."
    )
    for problem in problems:
        print(f"backup: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
