"""The history import (issue 10): the courts' past cases, from a CSV or XLSX file with one row per party.

Rows with the same case number form one case, and must agree on its court, cause, amount and dates. Every
row is checked before anything is written; if any is bad, `HistoryInvalid` lists each by line and column
with the reason, and nothing is imported. A valid file is written in one transaction, in batches: the cases
(keeping their numbers), their parties (ID numbers sealed, checked as at a window: cases.services.parties),
one `case.imported` event each, and every case-number sequence raised to continue after the highest number
imported. The case number is the key: a number already in the database is skipped, so importing the same
file again adds nothing.

Line numbers are the file's own: the header is line 1 (a CSV record spanning lines is numbered by its
first); blank rows are skipped but counted.
"""

import contextlib
import csv
import datetime as dt
import gc
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Case, CaseType, Party
from cases.services.case_numbers import CaseNumberParts, case_sequence_name, parse_case_number
from cases.services.filings import MAX_CLAIM_AMOUNT
from cases.services.parties import PartyInput, clean_party, party_values
from courts.legal_calendar import COURT_TZ
from courts.models import Court, Event
from courts.rows import copy_rows
from courts.services import sequences_raise

COLUMNS = (
    "case_number",
    "court",
    "cause",
    "claim_amount",
    "registered_on",
    "closed_on",
    "role",
    "kind",
    "name",
    "id_number",
)
NUMBER, COURT, CAUSE, AMOUNT, REGISTERED, CLOSED, ROLE, KIND, NAME, ID_NUMBER = range(len(COLUMNS))
CASE_COLUMNS = slice(NUMBER, CLOSED + 1)  # the columns every row of one case repeats
BATCH = 2000  # cases per round of inserts (with their parties and events)
LOOKUP_CHUNK = 2000  # case numbers per query for those already there
FIRST_YEAR = 1949
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
_XLSX_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a zip archive

T = TypeVar("T")
# `progress(items, total=..., desc=...)` gives the items back, showing how far it got (the command's tqdm).
Progress = Callable[..., Iterable[Any]]


def _no_progress(items: Iterable[T], **_options) -> Iterable[T]:
    return items


@dataclass(frozen=True)
class RowError:
    line: int
    column: str  # one of COLUMNS, or "" for the row or the file as a whole
    message: str


class HistoryInvalid(Exception):
    """The file's bad rows, every one; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class HistoryImport:
    rows: int  # rows with a party, read from the file
    cases: int  # imported (or, in a dry run, that would be)
    parties: int
    skipped: int  # cases already there (by number)
    dry_run: bool = False


@dataclass
class _Case:
    """One case of the file: its values from its first row, and its parties from every row."""

    line: int
    cells: tuple[str, ...]  # the case columns as its first row wrote them
    number: str
    court: Court
    case_type: CaseType
    year: int
    sequence: int
    cause: str
    claim_amount: Decimal | None
    registered_on: dt.date
    closed_on: dt.date | None
    parties: list[PartyInput] = field(default_factory=list)
    party_lines: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    roles: set[str] = field(default_factory=set)


def history_import(
    *, content: bytes, source: str = "", dry_run: bool = False, progress: Progress | None = None
) -> HistoryImport:
    """Check the whole file, then import its cases not yet there, all in one transaction (or, with
    `dry_run`, only say what would be imported). Raises HistoryInvalid, having written nothing."""
    with _collector_paused():
        return _import(content=content, source=source, dry_run=dry_run, progress=progress or _no_progress)


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector paused while the import holds its rows: its rows, cases and parties
    form no cycles and are freed by reference counting, and the collector only re-scanned their growing
    heap again and again (a third of the time of reading and checking 200,000 rows, bench/README.md). What
    little else does form a cycle is collected when the collector next runs, after the import."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(*, content: bytes, source: str, dry_run: bool, progress: Progress) -> HistoryImport:
    rows = read_rows(content)
    cases = history_check(rows, progress=progress)
    party_count = sum(len(case.parties) for case in cases)
    if dry_run:
        existing = _existing_numbers(cases)
        new = [case for case in cases if case.number not in existing]
        return HistoryImport(
            rows=party_count,
            cases=len(new),
            parties=sum(len(case.parties) for case in new),
            skipped=len(cases) - len(new),
            dry_run=True,
        )
    with transaction.atomic(durable=True):
        # Raised first, over every number of the file (those already there included): the counters' row
        # locks make a registration of the same court, type and year wait for this import, then draw after
        # its highest number, instead of colliding with an imported one.
        highest: dict[str, int] = {}
        for case in cases:
            name = case_sequence_name(court_id=case.court.pk, case_type_id=case.case_type.pk, year=case.year)
            highest[name] = max(highest.get(name, 0), case.sequence)
        sequences_raise(highest)
        existing = _existing_numbers(cases)
        new = [case for case in cases if case.number not in existing]
        parties = 0
        for batch in _batches(progress(new, total=len(new), desc=_("importing cases"), unit="case"), BATCH):
            parties += _insert(batch, source=source)
    return HistoryImport(rows=party_count, cases=len(new), parties=parties, skipped=len(cases) - len(new))


# --- Reading the file -------------------------------------------------------------------------------------


def read_rows(content: bytes) -> list[tuple[int, list[str]]]:
    """(line number, the row's cells in the order of COLUMNS, as text) for every row that is not blank.
    Raises HistoryInvalid for a file that cannot be read or lacks a column."""
    records = _xlsx_records(content) if content.startswith(_XLSX_MAGIC) else _csv_records(content)
    if not records:
        raise HistoryInvalid([RowError(1, "", _("The file is empty: it needs a header row and data rows."))])
    (_header_line, header), body = records[0], records[1:]
    names = [name.strip().lower() for name in header]
    errors = [
        RowError(1, column, _("The header has no column %(column)s.") % {"column": column})
        for column in COLUMNS
        if column not in names
    ]
    errors += [
        RowError(1, name, _("The column %(column)s appears twice.") % {"column": name})
        for name in sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    ]
    if errors:
        raise HistoryInvalid(errors)
    positions = [names.index(column) for column in COLUMNS]
    rows = []
    for line, cells in body:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
            errors.append(
                RowError(
                    line,
                    "",
                    _("This row has %(cells)d cells; the header names %(columns)d.")
                    % {"cells": len(cells), "columns": len(names)},
                )
            )
            continue
        cells = cells + [""] * (len(names) - len(cells))
        rows.append((line, [cells[position] for position in positions]))
    if errors:
        raise HistoryInvalid(errors)
    if not rows:
        raise HistoryInvalid([RowError(1, "", _("The file has no rows below its header."))])
    return rows


def _csv_records(content: bytes) -> list[tuple[int, list[str]]]:
    # The csv module rather than tablib's CSV reader: that one drops blank lines and refuses a long row,
    # and the report must name each row by its line in the file.
    try:
        text = content.decode("utf-8-sig")  # with or without a byte-order mark
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise HistoryInvalid(
            [RowError(line, "", _("The file is neither UTF-8 text (CSV) nor an XLSX workbook."))]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    records, end = [], 0
    try:
        for cells in reader:
            records.append((end + 1, cells))
            end = reader.line_num
    except csv.Error as error:
        raise HistoryInvalid(
            [RowError(end + 1, "", _("This line cannot be read as CSV: %(error)s") % {"error": error})]
        ) from None
    return records


def _xlsx_records(content: bytes) -> list[tuple[int, list[str]]]:
    """The first sheet's rows, through tablib (openpyxl): the header is row 1, each row its own line."""
    try:
        dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    except Exception as error:  # a damaged workbook fails in openpyxl, zipfile or tablib, each its own way
        raise HistoryInvalid(
            [RowError(1, "", _("The workbook cannot be read: %(error)s") % {"error": error})]
        ) from None
    header = [_cell_text(name) for name in dataset.headers or []]
    if not header:
        return []
    names = [name.strip().lower() for name in header]
    if "id_number" in names:
        # A spreadsheet keeps a number to 15 significant digits: an 18-digit ID number typed as a number
        # has lost its last digits, and about one in eleven would still pass the check digit.
        position = names.index("id_number")
        numeric = [
            RowError(
                index + 2,
                "id_number",
                _("The ID number is stored as a number, which loses digits: format the column as text."),
            )
            for index, row in enumerate(dataset)
            if position < len(row)
            and isinstance(row[position], int | float)
            and not isinstance(row[position], bool)
        ]
        if numeric:
            raise HistoryInvalid(numeric)
    return [(1, header)] + [
        (index + 2, [_cell_text(value) for value in row]) for index, row in enumerate(dataset)
    ]


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold: dates as YYYY-MM-DD, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# --- Checking every row -----------------------------------------------------------------------------------


def history_check(rows: list[tuple[int, list[str]]], *, progress: Progress = _no_progress) -> list[_Case]:
    """The file's cases, in the order they first appear; HistoryInvalid with every bad row otherwise."""
    checker = _Checker()
    for line, cells in progress(rows, total=len(rows), desc=_("checking rows"), unit="row"):
        checker.row(line, cells)
    checker.finish()
    if checker.errors:
        order = {column: index for index, column in enumerate(("", *COLUMNS))}
        checker.errors.sort(key=lambda error: (error.line, order.get(error.column, 0)))
        raise HistoryInvalid(checker.errors)
    return list(checker.cases.values())


class _Checker:
    def __init__(self) -> None:
        courts = list(Court.objects.all())
        self.courts = {court.code: court for court in courts}
        self.courts_by_number_code = {court.case_code: court for court in courts}
        self.types = {case_type.code: case_type for case_type in CaseType.objects.all()}
        self.today = dt.datetime.now(COURT_TZ).date()
        self.cases: dict[str, _Case] = {}
        self.errors: list[RowError] = []
        # The case columns of a row, checked once per distinct spelling: every row of a case repeats them.
        self._case_values: dict[tuple[str, ...], tuple[dict[str, Any], dict[str, str]]] = {}

    def row(self, line: int, cells: list[str]) -> None:
        cells = [cell.strip() for cell in cells]
        key = tuple(cells[CASE_COLUMNS])
        if key not in self._case_values:
            self._case_values[key] = self._check_case_columns(cells)
        values, errors = self._case_values[key]
        errors = dict(errors)
        party = PartyInput(role=cells[ROLE], kind=cells[KIND], name=cells[NAME], id_number=cells[ID_NUMBER])
        for column, messages in clean_party(party).items():
            errors.setdefault(column, " ".join(messages))
        if "kind" in errors:
            # Which check an ID number gets depends on the kind: with no valid kind, its result means nothing.
            errors.pop("id_number", None)
        if "name" not in errors and len(party.name) > 100:
            errors["name"] = _("At most 100 characters.")

        case = self.cases.get(values["number"]) if "number" in values else None
        if case is not None:
            # Written alike, the case columns agree; written otherwise ("158000" for "158000.00") they may.
            differing = (
                () if key == case.cells else ("court", "cause", "claim_amount", "registered_on", "closed_on")
            )
            for column in differing:
                if column not in errors and column in values and values[column] != getattr(case, column):
                    errors[column] = _("This differs from line %(line)d, the same case's first row.") % {
                        "line": case.line
                    }
            party_key = (party.role, party.kind, party.name, party.id_number)
            if party_key in case.party_lines and not errors:
                errors["name"] = _("The same party is already on line %(line)d of this case.") % {
                    "line": case.party_lines[party_key]
                }
        elif "number" in values and not errors:
            case = self.cases[values["number"]] = _Case(line=line, cells=key, **values)

        if errors:
            self.errors.extend(RowError(line, column, message) for column, message in errors.items())
            return
        assert case is not None
        case.parties.append(party)
        case.party_lines[(party.role, party.kind, party.name, party.id_number)] = line
        case.roles.add(party.role)

    def finish(self) -> None:
        """What a case needs as a whole, as a filing does: a plaintiff (applicant) and a defendant
        (respondent). Reported on the case's first line."""
        if self.errors:
            return  # a case whose other rows were bad may only seem to lack a party
        for case in self.cases.values():
            if Party.Role.PLAINTIFF not in case.roles:
                self.errors.append(
                    RowError(case.line, "role", _("At least one plaintiff (or applicant) is required."))
                )
            if Party.Role.DEFENDANT not in case.roles:
                self.errors.append(
                    RowError(case.line, "role", _("At least one defendant (or respondent) is required."))
                )

    def _check_case_columns(self, cells: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
        """The case's values (those that are valid) and an error per bad column."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        court = self.courts.get(cells[COURT])
        if court is None:
            errors["court"] = _("Unknown court %(code)s: use %(known)s.") % {
                "code": cells[COURT] or "''",
                "known": ", ".join(sorted(self.courts)),
            }
        else:
            values["court"] = court
        parts = parse_case_number(cells[NUMBER])
        number_error = self._number_error(parts, court)
        if number_error:
            errors["case_number"] = number_error
        else:
            assert parts is not None
            values.update(
                number=f"（{parts.year}）{parts.court_code}{parts.type_code}{parts.sequence}号",
                case_type=self.types[parts.type_code],
                year=parts.year,
                sequence=parts.sequence,
            )

        cause = cells[CAUSE]
        if not cause:
            errors["cause"] = _("Enter the cause of action.")
        elif len(cause) > 100:
            errors["cause"] = _("At most 100 characters.")
        else:
            values["cause"] = cause

        amount = cells[AMOUNT]
        if not amount:
            values["claim_amount"] = None
        elif not _AMOUNT.match(amount):
            errors["claim_amount"] = _(
                "Enter the amount in yuan, e.g. 158000.00 (at most 2 decimal places), or leave it empty."
            )
        elif not Decimal("0") < Decimal(amount) <= MAX_CLAIM_AMOUNT:
            errors["claim_amount"] = _("The amount must be above 0 and at most 100,000,000,000 yuan.")
        else:
            values["claim_amount"] = Decimal(amount)

        registered_on = self._date(cells[REGISTERED], "registered_on", errors, required=True)
        if registered_on is not None:
            if (
                parts is not None
                and not number_error
                and not parts.year <= registered_on.year <= parts.year + 1
            ):
                # The number's year is the year the court received the case; registration follows within
                # days (CPL 126), at most into the next year.
                errors["registered_on"] = _(
                    "A case numbered in %(year)d cannot have been registered in %(registered)d."
                ) % {"year": parts.year, "registered": registered_on.year}
            else:
                values["registered_on"] = registered_on
        closed_on = self._date(cells[CLOSED], "closed_on", errors, required=False)
        if closed_on is not None and "registered_on" in values and closed_on < values["registered_on"]:
            errors["closed_on"] = _("A case cannot close before it was registered.")
        elif "closed_on" not in errors:
            values["closed_on"] = closed_on
        return values, errors

    def _number_error(self, parts: CaseNumberParts | None, court: Court | None) -> str:
        if parts is None:
            return _("Write the case number as （2019）苏0509民初123号.")
        if not FIRST_YEAR <= parts.year <= self.today.year:
            return _("The case number's year must be between %(first)d and %(last)d.") % {
                "first": FIRST_YEAR,
                "last": self.today.year,
            }
        numbered = self.courts_by_number_code.get(parts.court_code)
        if numbered is None:
            return _("The case number's court code %(code)s is none of the zone's courts'.") % {
                "code": parts.court_code
            }
        if court is not None and numbered != court:
            return _("The case number's court code %(code)s is not that of %(court)s (%(court_code)s).") % {
                "code": parts.court_code,
                "court": court.code,
                "court_code": court.case_code,
            }
        if parts.type_code not in self.types:
            return _("Unknown case-type code %(code)s: use %(known)s.") % {
                "code": parts.type_code,
                "known": ", ".join(self.types),
            }
        return ""

    def _date(self, text: str, column: str, errors: dict[str, str], *, required: bool) -> dt.date | None:
        if not text:
            if required:
                errors[column] = _("Enter the date as YYYY-MM-DD.")
            return None
        try:
            if not _DATE.match(text):
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            errors[column] = _("Enter the date as YYYY-MM-DD.")
            return None
        if day > self.today:
            errors[column] = _("The date is in the future.")
            return None
        return day


# --- Writing ----------------------------------------------------------------------------------------------


def _existing_numbers(cases: list[_Case]) -> set[str]:
    """The file's case numbers already in the tracker, to skip (importing a file again adds nothing). A
    number there for a different case (another court, cause or registration day: one registered here since,
    or a mistyped number in the file) is a bad row, never silently skipped."""
    by_number = {case.number: case for case in cases}
    numbers = list(by_number)
    existing: set[str] = set()
    errors = []
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start : start + LOOKUP_CHUNK]
        for number, court_id, cause, registered_at in Case.objects.filter(number__in=chunk).values_list(
            "number", "court_id", "cause", "registered_at"
        ):
            case = by_number[number]
            same = (
                court_id == case.court.pk
                and cause == case.cause
                and registered_at.astimezone(COURT_TZ).date() == case.registered_on
            )
            if same:
                existing.add(number)
            else:
                errors.append(
                    RowError(
                        case.line,
                        "case_number",
                        _(
                            "This case number is already in the tracker for a different case (court, cause "
                            "or registration date differ)."
                        ),
                    )
                )
    if errors:
        raise HistoryInvalid(sorted(errors, key=lambda error: error.line))
    return existing


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _court_midnight(day: dt.date) -> dt.datetime:
    """A date of the court's records as the moment its day began at the court (Asia/Shanghai)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=COURT_TZ)


def _insert(batch: list[_Case], *, source: str) -> int:
    """One round of inserts: the cases, their parties, their events. The number of parties written.

    Rows, not instances, through `copy_rows` (COPY on PostgreSQL): the same 100,000 cases through
    bulk_create took 104 s, over the 60 s the issue allows, and 45-54 s this way (bench/README.md,
    `bench.history_import`). The events are appended as `record_events` would write them, without its
    marking of kept status answers after the commit: a case that was not in the database has no answer kept
    for it (and an imported case has no query code)."""
    case_ids = copy_rows(
        Case,
        [
            {
                "number": draft.number,
                "court_id": draft.court.pk,
                "case_type_id": draft.case_type.pk,
                "year": draft.year,
                "sequence": draft.sequence,
                "cause": draft.cause,
                "claim_amount": draft.claim_amount,
                "state": Case.State.CLOSED.value if draft.closed_on else Case.State.REGISTERED.value,
                "registered_at": _court_midnight(draft.registered_on),
                "closed_at": _court_midnight(draft.closed_on) if draft.closed_on else None,
            }
            for draft in batch
        ],
        with_ids=True,
    )
    parties = [
        {"case_id": case_id, **party_values(party, position)}
        for draft, case_id in zip(batch, case_ids, strict=True)
        for position, party in enumerate(draft.parties)
    ]
    copy_rows(Party, parties)
    copy_rows(
        Event,
        [
            {
                "subject_type": Case._meta.label_lower,
                "subject_id": case_id,
                "action": "case.imported",
                "to_state": Case.State.CLOSED.value if draft.closed_on else Case.State.REGISTERED.value,
                "actor_court_id": draft.court.pk,
                "payload": {
                    "case_number": draft.number,
                    "source": source,
                    "registered_on": draft.registered_on.isoformat(),
                    "closed_on": draft.closed_on.isoformat() if draft.closed_on else None,
                },
            }
            for draft, case_id in zip(batch, case_ids, strict=True)
        ],
    )
    return len(parties)
