"""What a backup holds and how it is checked: scripts/backup.py writes it, scripts/restore.py checks a restore
against it, each reading the database the same way (this module), so a figure written by one is the figure
the other recomputes.

A backup directory holds:
  database.dump   pg_dump --format=custom, without owners or grants (it restores as whoever restores it)
  media.tar       MEDIA_ROOT, every regular file under its path relative to MEDIA_ROOT
  MANIFEST.json   what the dump holds, read in the dump's own snapshot: every table's row count and a digest
                  of its rows in primary-key order, the latest migration of each app, the triggers, each
                  attachment row's file and recorded SHA-256; the SHA-256 of every file in media.tar
  SHA256SUMS      `sha256sum -c SHA256SUMS` in the directory checks the dump, the archive and the manifest

The checksums find damage (a bad disk, a truncated copy), not forgery: whoever can rewrite the files can
rewrite the sums too. A backup kept off the server, where the server cannot write, is what guards it.
"""

import hashlib
import os
import re
import shutil
import subprocess
from glob import glob
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

FORMAT = 1
DUMP = "database.dump"
MEDIA = "media.tar"
MANIFEST = "MANIFEST.json"
SUMS = "SHA256SUMS"
CHUNK = 1 << 20
MANIFEST_KEYS = frozenset(
    {
        "created_at",
        "database",
        "migrations",
        "tables",
        "triggers",
        "attachment_fields",
        "attachments",
        "media",
    }
)

# Row text depends on these session settings (a timestamptz prints in the session's zone), so both sides of
# a comparison fix them alike.
SESSION = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 1",
    "SET bytea_output = 'hex'",
)
USER_SCHEMAS = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema')"
    " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
)


class Refusal(Exception):
    """A reason to stop before anything is written, said in one line."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_stream(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


class HashingReader:
    """A file read once: into the archive, and into its SHA-256 on the way."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


# --- Connecting, and the PostgreSQL client programs -------------------------------------------------------


def connect(params: dict) -> psycopg.Connection:
    connection = psycopg.connect(**params, autocommit=True)
    for statement in SESSION:
        connection.execute(statement)
    return connection


def client_command(params: dict) -> tuple[str, dict[str, str]]:
    """The libpq connection string for pg_dump/pg_restore's --dbname, and the environment that carries the
    password (an argument would show it to every user of the machine in `ps`)."""
    env = dict(os.environ)
    rest = {key: value for key, value in params.items() if key != "password"}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return make_conninfo(**rest), env


def tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = re.search(r"\)\s+(\d+)", out)
    return int(match[1]) if match else None


def pg_tool(name: str, server_major: int, bin_dir: str | None = None) -> tuple[str, int] | None:
    """The client program of the server's major version or newer: an older pg_dump refuses a newer server,
    and an older pg_restore cannot read a newer dump. Debian keeps each version under
    /usr/lib/postgresql/<major>/bin; the one on PATH may be another."""
    if bin_dir:
        candidates = [str(Path(bin_dir) / name)]
    else:
        versioned = sorted(
            glob(f"/usr/lib/postgresql/*/bin/{name}"),
            key=lambda path: int(m[1]) if (m := re.search(r"/(\d+)/bin/", path)) else 0,
        )
        exact = f"/usr/lib/postgresql/{server_major}/bin/{name}"
        candidates = [exact, shutil.which(name) or "", *versioned]
    for path in candidates:
        if path and Path(path).is_file():
            major = tool_major(path)
            if major is not None and major >= server_major:
                return path, major
    return None


# --- Reading a database, the same way at backup and after a restore ----------------------------------------


def tables(cursor) -> list[tuple[str, str, list[str], list[bool]]]:
    """(schema, table, primary-key columns, which of them are text) of every user table, extensions' own
    tables left out."""
    cursor.execute(
        f"""
        SELECT n.nspname, c.relname,
               coalesce((SELECT array_agg(a.attname ORDER BY array_position(i.indkey::int2[], a.attnum))
                         FROM pg_index i
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                         WHERE i.indrelid = c.oid AND i.indisprimary), '{{}}'),
               coalesce((SELECT array_agg(a.attcollation <> 0
                                          ORDER BY array_position(i.indkey::int2[], a.attnum))
                         FROM pg_index i
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                         WHERE i.indrelid = c.oid AND i.indisprimary), '{{}}')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND {USER_SCHEMAS}
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1, 2
        """
    )
    return [(schema, name, list(pk), list(text)) for schema, name, pk, text in cursor.fetchall()]


def table_digests(connection: psycopg.Connection) -> dict[str, dict]:
    """Every table's row count and the SHA-256 of its rows as text, in primary-key order (COPY's text form:
    one line a row, so the lines are the rows)."""
    result = {}
    with connection.cursor() as cursor:
        listed = tables(cursor)
        for schema, name, pk, text in listed:
            row = sql.Identifier("backup_row")
            # Text sorts by the byte ("C"), not by the database's locale, which the restoring server may not
            # share; with no key to order by, the rows' own text orders them.
            collate = sql.SQL(' COLLATE "C"')
            order = (
                sql.SQL(", ").join(
                    sql.Identifier(column) + (collate if is_text else sql.SQL(""))
                    for column, is_text in zip(pk, text, strict=True)
                )
                if pk
                else sql.SQL("{}::text").format(row) + collate
            )
            statement = sql.SQL("COPY (SELECT {row}::text FROM {table} AS {row} ORDER BY {order}) TO STDOUT")
            digest, rows = hashlib.sha256(), 0
            with cursor.copy(
                statement.format(row=row, table=sql.Identifier(schema, name), order=order)
            ) as copy:
                for data in copy:
                    digest.update(data)
                    rows += bytes(data).count(b"\n")
            label = name if schema == "public" else f"{schema}.{name}"
            result[label] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def migration_state(connection: psycopg.Connection) -> dict[str, str]:
    """The latest applied migration of each app (names sort by their number)."""
    rows = connection.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(rows.fetchall())


def triggers(connection: psycopg.Connection) -> list[dict]:
    """The triggers written by hand (the timeline's append-only guard), not those of foreign keys."""
    rows = connection.execute(
        f"""
        SELECT c.relname, t.tgname, t.tgenabled
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND {USER_SCHEMAS}
        ORDER BY 1, 2
        """
    )
    return [{"table": table, "trigger": name, "enabled": enabled} for table, name, enabled in rows]


def attachment_rows(connection: psycopg.Connection, fields: list[dict]) -> list[dict]:
    """Each stored file a row names, with the SHA-256 the row recorded when it was uploaded (if it keeps
    one). `fields` comes from the manifest: the backup found them among the models' FileFields."""
    found = []
    for field in fields:
        sha = sql.Identifier(field["sha256_column"]) if field.get("sha256_column") else sql.NULL
        statement = sql.SQL(
            "SELECT {pk}, {file}, {sha} FROM {table} WHERE {file} <> '' ORDER BY {pk}"
        ).format(
            pk=sql.Identifier(field["pk_column"]),
            file=sql.Identifier(field["file_column"]),
            sha=sha,
            table=sql.Identifier(field["table"]),
        )
        for pk, name, recorded in connection.execute(statement):
            found.append({"table": field["table"], "id": pk, "file": name, "sha256": recorded})
    return found


def sequences_behind(connection: psycopg.Connection) -> list[str]:
    """Key sequences that would hand out an id already taken (the restored rows' next insert would fail)."""
    behind = []
    with connection.cursor() as cursor:
        for schema, name, pk, _text in tables(cursor):
            if len(pk) != 1:
                continue
            qualified = sql.Identifier(schema, name).as_string(connection)
            sequence = cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [qualified, pk[0]]).fetchone()[
                0
            ]
            if sequence is None:
                continue
            last, called = cursor.execute(
                sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(sequence))
            ).fetchone()
            highest = cursor.execute(
                sql.SQL("SELECT max({}) FROM {}").format(sql.Identifier(pk[0]), sql.Identifier(schema, name))
            ).fetchone()[0]
            next_value = last + 1 if called else last
            if highest is not None and next_value <= highest:
                behind.append(f"{sequence} would give {next_value}, but {name}.{pk[0]} goes to {highest}")
    return behind


def read_sums(path: Path) -> dict[str, str]:
    """SHA256SUMS as `sha256sum` writes it: the hex digest, two spaces, the name."""
    sums = {}
    for line in path.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest
    return sums
