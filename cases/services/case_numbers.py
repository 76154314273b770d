"""Case numbers: （2026）沪0118民初123号: year of receipt, court code, type code, sequence per court, type and
year from 1, never repeated and never skipped (the sequence row is locked inside the registering
transaction, so a rollback returns the number)."""

import re
from dataclasses import dataclass

from cases.models import CaseType
from courts.models import Court
from courts.services import sequence_next

# The year in full-width brackets (half-width ones are read too: older systems export them), the court code
# (a province's abbreviation and four digits, e.g. 苏0509), the type code (characters, no digit: 民初, 执保,
# 民诉前调), the sequence from 1 without leading zeros, and 号.
_NUMBER = re.compile(
    r"^[（(](?P<year>\d{4})[）)](?P<court>\D+\d+)(?P<type>\D+?)(?P<sequence>[1-9]\d{0,8})号$"
)


@dataclass(frozen=True)
class CaseNumberParts:
    year: int
    court_code: str
    type_code: str
    sequence: int


def format_case_number(*, year: int, court: Court, case_type: CaseType, sequence: int) -> str:
    return f"（{year}）{court.case_code}{case_type.code}{sequence}号"


def parse_case_number(number: str) -> CaseNumberParts | None:
    """The parts of a case number as written (spaces ignored), or None if it is not shaped like one. The
    codes are not looked up here."""
    match = _NUMBER.match("".join(number.split()))
    if match is None:
        return None
    return CaseNumberParts(
        year=int(match["year"]),
        court_code=match["court"],
        type_code=match["type"],
        sequence=int(match["sequence"]),
    )


def case_sequence_name(*, court_id: int, case_type_id: int, year: int) -> str:
    # Named by ids, not codes: renaming a type code must not restart its numbering.
    return f"case:{court_id}:{case_type_id}:{year}"


def case_number_next(*, court: Court, case_type: CaseType, year: int) -> tuple[int, str]:
    sequence = sequence_next(case_sequence_name(court_id=court.pk, case_type_id=case_type.pk, year=year))
    return sequence, format_case_number(year=year, court=court, case_type=case_type, sequence=sequence)
