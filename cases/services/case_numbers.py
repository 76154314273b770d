"""Case numbers: （2026）沪0118民初123号: year of receipt, court code, type code, sequence per court, type and
year from 1, never repeated and never skipped (the sequence row is locked inside the registering
transaction, so a rollback returns the number)."""

from cases.models import CaseType
from courts.models import Court
from courts.services import sequence_next


def format_case_number(*, year: int, court: Court, case_type: CaseType, sequence: int) -> str:
    return f"（{year}）{court.case_code}{case_type.code}{sequence}号"


def case_number_next(*, court: Court, case_type: CaseType, year: int) -> tuple[int, str]:
    # Named by ids, not codes: renaming a type code must not restart its numbering.
    sequence = sequence_next(f"case:{court.pk}:{case_type.pk}:{year}")
    return sequence, format_case_number(year=year, court=court, case_type=case_type, sequence=sequence)
