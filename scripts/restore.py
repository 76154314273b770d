"""Restore a backup made by scripts/backup.py into a database and a media folder, and prove it came back.

    .venv/bin/python scripts/restore.py --from DIR --database-url URL --media-root PATH [--replace]

In order, stopping at the first step that fails:
  1. the backup itself: the dump and the archive against SHA256SUMS, and every file in the archive against
     the manifest's SHA-256. A damaged backup is refused here, before the database or the folder is touched,
     with the name of each damaged file;
  2. the target: the database is created if missing (from template0, so nothing in it but the dump); one
     that has anything in it is refused unless --replace, which drops and recreates it (refused while anyone
     is connected to it: stop the web server, the workers and beat first). A media folder with files in it
     is refused the same way; --replace writes the backup's files over it and leaves others where they are;
  3. pg_restore in one transaction (no owners or grants: the restoring user owns what it restores), then
     the media unpacked;
  4. the restore, read back: every table's row count and row digest, the latest migration of each app and
     the triggers (the timeline's append-only guard) as the manifest has them; no key sequence behind its
     table; every file on disk with the manifest's SHA-256, and every attachment row's file there with the
     SHA-256 the row recorded at upload.
It ends with one paragraph saying what was restored, or a line per mismatch and a non-zero exit status:
1 a mismatch (the backup's or the restore's), 2 refused before anything was written.

Only psycopg and the PostgreSQL client programs are needed: no settings, so no keys. The application will
need the keys the data was written with (FIELD_ENCRYPTION_KEYS, FIELD_LOOKUP_KEY, QUERY_CODE_KEY,
SECRET_KEY), which a backup does not hold.
"""

import argparse
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import backup_contents as contents
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict


class Mismatch(Exception):
    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def refuse(message: str) -> int:
    print(f"restore: {message}", file=sys.stderr)
    return 2


def report(problems: list[str], stage: str) -> int:
    for problem in problems:
        print(f"restore: {problem}", file=sys.stderr)
    print(f"restore: {stage}: {len(problems)} mismatches (listed above)", file=sys.stderr)
    return 1


# --- 1. The backup itself ---------------------------------------------------------------------------------


def load_manifest(source: Path) -> dict:
    path = source / contents.MANIFEST
    if not path.is_file():
        raise contents.Refusal(f"{source} has no {contents.MANIFEST}: not a backup made by scripts/backup.py")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as error:
        raise contents.Refusal(f"{path} is not readable JSON: {error}") from None
    if manifest.get("format") != contents.FORMAT:
        raise contents.Refusal(
            f"{path} is format {manifest.get('format')}; this script reads {contents.FORMAT}"
        )
    missing = sorted(contents.MANIFEST_KEYS - set(manifest))
    if missing:
        raise contents.Refusal(f"{path} lacks {', '.join(missing)}: damaged, or not written by backup.py")
    return manifest


def check_backup(source: Path, manifest: dict) -> list[str]:
    """The dump and the archive against SHA256SUMS and the manifest, then each file in the archive."""
    problems = []
    sums_path = source / contents.SUMS
    sums = contents.read_sums(sums_path) if sums_path.is_file() else {}
    if not sums:
        problems.append(f"{contents.SUMS}: missing or empty")
    expected = {contents.DUMP: manifest["database"]["sha256"], contents.MEDIA: manifest["media"]["sha256"]}
    for name in (contents.DUMP, contents.MEDIA, contents.MANIFEST):
        path = source / name
        if not path.is_file():
            problems.append(f"{name}: missing from the backup")
            continue
        digest = contents.sha256_of(path)
        if name in sums and digest != sums[name]:
            problems.append(f"{name}: SHA-256 differs from {contents.SUMS}")
        if name in expected and digest != expected[name]:
            problems.append(f"{name}: SHA-256 differs from {contents.MANIFEST}")
    if (source / contents.MEDIA).is_file():
        problems += check_archive(source / contents.MEDIA, manifest["media"]["files"])
    return problems


def check_archive(path: Path, expected: dict[str, dict]) -> list[str]:
    """Each file in media.tar against the manifest, read without unpacking it: the damaged ones by name."""
    problems, seen = [], set()
    try:
        with tarfile.open(path, "r") as archive:
            for member in archive:
                if member.isdir():
                    continue
                if not member.isfile():
                    problems.append(f"{member.name}: in {contents.MEDIA} but not a regular file")
                    continue
                seen.add(member.name)
                want = expected.get(member.name)
                if want is None:
                    problems.append(f"{member.name}: in {contents.MEDIA} but not in the manifest")
                    continue
                stream = archive.extractfile(member)
                assert stream is not None  # a regular file
                if member.size != want["size"] or contents.sha256_stream(stream) != want["sha256"]:
                    problems.append(
                        f"{member.name}: damaged in {contents.MEDIA} (SHA-256 differs from the manifest)"
                    )
    except (tarfile.TarError, OSError) as error:
        problems.append(f"{contents.MEDIA}: unreadable ({error})")
    problems += [
        f"{name}: in the manifest but missing from {contents.MEDIA}" for name in sorted(set(expected) - seen)
    ]
    return problems


# --- 2. The target ----------------------------------------------------------------------------------------


def has_anything(connection: psycopg.Connection) -> bool:
    """Any table, view, sequence, function or extension other than what template0 holds."""
    found = connection.execute(
        f"""
        SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE {contents.USER_SCHEMAS})
            OR EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                       WHERE {contents.USER_SCHEMAS})
            OR EXISTS (SELECT 1 FROM pg_extension WHERE extname <> 'plpgsql')
        """
    ).fetchone()[0]
    return bool(found)


def prepare_database(params: dict, maintenance_db: str, replace: bool) -> str:
    """Create the target database, or check it is empty, or (--replace) drop and recreate it."""
    name = params["dbname"]
    with contents.connect({**params, "dbname": maintenance_db}) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists:
            with contents.connect(params) as target:
                occupied = has_anything(target)
            if not occupied:
                return "empty, used"
            if not replace:
                raise contents.Refusal(
                    f"database {name} is not empty: give a new one, or --replace to drop it"
                )
            others = server.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
            ).fetchone()[0]
            if others:
                raise contents.Refusal(
                    f"cannot replace database {name}: {others} other sessions are connected to it"
                    " (stop the web server, the workers and beat first)"
                )
            server.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        server.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name))
        )
        return "dropped and created again" if exists else "created"


def prepare_media(media_root: Path, replace: bool) -> int:
    """How many files are already there; refused unless --replace if any."""
    present = sum(1 for path in media_root.rglob("*") if path.is_file()) if media_root.exists() else 0
    if present and not replace:
        raise contents.Refusal(f"{media_root} already has {present} files: give a new folder, or --replace")
    return present


# --- 3. Restoring -----------------------------------------------------------------------------------------


def run_pg_restore(pg_restore: str, params: dict, dump: Path) -> None:
    conninfo, env = contents.client_command(params)
    done = subprocess.run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise Mismatch([f"pg_restore failed (nothing was restored: it runs in one transaction): {last}"])


def unpack_media(archive_path: Path, media_root: Path) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r") as archive:
        # The "data" filter refuses absolute names, "..", links and devices: only files under media_root.
        archive.extractall(media_root, members=[m for m in archive if m.isfile()], filter="data")


# --- 4. Reading the restore back --------------------------------------------------------------------------


def check_restore(params: dict, media_root: Path, manifest: dict) -> tuple[list[str], dict]:
    problems: list[str] = []
    with contents.connect(params) as connection:
        connection.autocommit = False  # COPY and the reads in one snapshot of the restored database
        tables = contents.table_digests(connection)
        migrations = contents.migration_state(connection)
        triggers = contents.triggers(connection)
        attachments = contents.attachment_rows(connection, manifest["attachment_fields"])
        problems += contents.sequences_behind(connection)
        connection.rollback()

    expected_tables = manifest["tables"]
    for name in sorted(set(expected_tables) | set(tables)):
        want, got = expected_tables.get(name), tables.get(name)
        if got is None:
            problems.append(f"table {name}: missing after the restore")
        elif want is None:
            problems.append(f"table {name}: not in the backup")
        elif got != want:
            problems.append(
                f"table {name}: {got['rows']} rows after the restore, {want['rows']} in the backup"
                if got["rows"] != want["rows"]
                else f"table {name}: the rows differ from the backup's (digest)"
            )
    for app in sorted(set(manifest["migrations"]) | set(migrations)):
        if migrations.get(app) != manifest["migrations"].get(app):
            problems.append(
                f"migrations of {app}: at {migrations.get(app)} after the restore,"
                f" {manifest['migrations'].get(app)} in the backup"
            )
    if triggers != manifest["triggers"]:
        have = {(t["table"], t["trigger"], t["enabled"]) for t in triggers}
        want_triggers = {(t["table"], t["trigger"], t["enabled"]) for t in manifest["triggers"]}
        problems += [
            f"trigger {name} on {table}: missing or disabled" for table, name, _ in want_triggers - have
        ]
        problems += [
            f"trigger {name} on {table}: not in the backup" for table, name, _ in have - want_triggers
        ]

    on_disk = {}
    for name, want in manifest["media"]["files"].items():
        path = media_root / name
        if not path.is_file():
            problems.append(f"{name}: missing from {media_root} after unpacking")
            continue
        on_disk[name] = contents.sha256_of(path)
        if on_disk[name] != want["sha256"]:
            problems.append(f"{name}: SHA-256 on disk differs from the manifest")
    for row in attachments:
        label = f"{row['table']} #{row['id']}"
        if row["file"] not in on_disk and not (media_root / row["file"]).is_file():
            problems.append(f"the file of {label} is not in {media_root}")
            continue
        digest = on_disk.get(row["file"]) or contents.sha256_of(media_root / row["file"])
        if row["sha256"] and digest != row["sha256"]:
            problems.append(f"the file of {label} does not have the SHA-256 the row recorded")
    figures = {
        "tables": len(tables),
        "rows": sum(table["rows"] for table in tables.values()),
        "events": tables.get("courts_event", {}).get("rows", 0),
        "migrations": migrations,
        "triggers": triggers,
        "files": len(on_disk),
        "bytes": sum(file["size"] for file in manifest["media"]["files"].values()),
        "attachments": len(attachments),
    }
    return problems, figures


def summary(source: Path, manifest: dict, params: dict, media_root: Path, figures: dict, how: dict) -> str:
    migrations = ", ".join(f"{app} {name.split('_', 1)[0]}" for app, name in figures["migrations"].items())
    guards = ", ".join(f"{t['trigger']} on {t['table']}" for t in figures["triggers"]) or "none"
    return (
        f"Restored {source} (made {manifest['created_at']} from database {manifest['database']['name']},"
        f" PostgreSQL {manifest['database']['server_version']}) into database {params['dbname']}"
        f" ({how['database']}): {figures['tables']} tables and {figures['rows']} rows, each table's rows"
        f" matching the backup's digest, the timeline's {figures['events']} events among them; migrations at"
        f" {migrations}; triggers {guards}; no key sequence behind its table. Unpacked {figures['files']}"
        f" files ({figures['bytes']} bytes) into {media_root}"
        + (f" (over {how['media']} files already there)" if how["media"] else "")
        + f", each with the manifest's SHA-256, and {figures['attachments']} attachment rows whose files have"
        f" the SHA-256 recorded at upload. Took {how['seconds']:.1f} s."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", type=Path, required=True, help="the backup directory")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RESTORE_DATABASE_URL"),
        help="postgres://user@host:5432/name to restore into (or RESTORE_DATABASE_URL, which keeps a password"
        " out of the process list; or leave the password out and set PGPASSWORD or ~/.pgpass)",
    )
    parser.add_argument(
        "--media-root", type=Path, required=True, help="the folder to unpack the attachments into"
    )
    parser.add_argument(
        "--replace", action="store_true", help="drop a non-empty target database and refill it"
    )
    parser.add_argument("--maintenance-db", default="postgres", help="the database to connect to for CREATE")
    parser.add_argument("--pg-bin", help="the directory of pg_restore, if not the server's version's own")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set RESTORE_DATABASE_URL")
    started = time.monotonic()

    try:
        params = {key: value for key, value in conninfo_to_dict(args.database_url).items() if value}
    except psycopg.ProgrammingError as error:
        return refuse(f"--database-url is not a PostgreSQL address: {error}")
    if not params.get("dbname"):
        return refuse("--database-url names no database")
    try:
        manifest = load_manifest(args.source)
        problems = check_backup(args.source, manifest)
        if problems:
            return report(problems, f"refused {args.source}, nothing restored")
        try:
            with contents.connect({**params, "dbname": args.maintenance_db}) as server:
                server_major = server.info.server_version // 10000
        except psycopg.Error as error:
            raise contents.Refusal(f"cannot connect to the server: {str(error).strip()}") from None
        tool = contents.pg_tool("pg_restore", server_major, args.pg_bin)
        if tool is None:
            where = args.pg_bin or "PATH or /usr/lib/postgresql/*/bin"
            raise contents.Refusal(f"no pg_restore of PostgreSQL {server_major} or newer in {where}")
        media_root = args.media_root.resolve()
        how = {"media": prepare_media(media_root, args.replace)}
        how["database"] = prepare_database(params, args.maintenance_db, args.replace)
    except contents.Refusal as refusal:
        return refuse(str(refusal))
    except psycopg.Error as error:
        return refuse(f"the target database: {str(error).strip()}")

    try:
        run_pg_restore(tool[0], params, args.source / contents.DUMP)
        unpack_media(args.source / contents.MEDIA, media_root)
        problems, figures = check_restore(params, media_root, manifest)
    except Mismatch as mismatch:
        return report(mismatch.problems, f"restore into {params['dbname']} failed")
    if problems:
        return report(problems, f"restored into {params['dbname']} and {media_root}, but it does not match")
    how["seconds"] = time.monotonic() - started
    print(summary(args.source, manifest, params, media_root, figures, how))
    return 0


if __name__ == "__main__":
    sys.exit(main())
