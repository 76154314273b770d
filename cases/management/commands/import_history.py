"""`manage.py import_history FILE [--dry-run]`: load the courts' past cases (cases.services.history_import).

Every bad row is reported on stderr by line and column with the reason, and then nothing is imported (exit
status 1). A progress bar is drawn on stderr when it is a terminal, and nothing else is written there when it
is not; the last line on stdout sums up what was imported.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from cases.services.history_import import HistoryInvalid, history_import


class Command(BaseCommand):
    help = (
        "Import past cases from a CSV (UTF-8) or XLSX file, one row per party: case_number, court, cause, "
        "claim_amount, registered_on, closed_on, role, kind, name, id_number (docs/history-example.csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv (UTF-8, with or without a byte-order mark) or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and count, write nothing")

    def handle(self, *args, file: str, dry_run: bool = False, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            raise CommandError(message) from None
        try:
            result = history_import(
                content=content, source=path.name, dry_run=dry_run, progress=self._progress()
            )
        except HistoryInvalid as invalid:
            for error in invalid.errors:
                where = _("line %(line)d") % {"line": error.line}
                if error.column:
                    where = f"{where}, {error.column}"
                self.stderr.write(f"{path.name}: {where}: {error.message}")
            lines = len({error.line for error in invalid.errors})
            raise CommandError(
                ngettext(
                    "%(count)d bad line: nothing was imported.",
                    "%(count)d bad lines: nothing was imported.",
                    lines,
                )
                % {"count": lines}
            ) from None
        summary = _(
            "%(cases)d cases imported with %(parties)d parties; %(skipped)d already there, skipped "
            "(%(rows)d rows read)."
        )
        if dry_run:
            summary = _(
                "Dry run, nothing written: %(cases)d cases with %(parties)d parties would be imported; "
                "%(skipped)d already there (%(rows)d rows read)."
            )
        counts = {"cases": result.cases, "parties": result.parties, "skipped": result.skipped}
        self.stdout.write(summary % {**counts, "rows": result.rows})

    def _progress(self):
        """tqdm on stderr when it is a terminal; otherwise none (a log or a pipe gets no bar)."""
        if not self.stderr.isatty():
            return None
        stream = self.stderr._out  # the terminal itself: the wrapper would end each of tqdm's redraws

        def progress(items, *, total: int, desc: str, unit: str):
            return tqdm(items, total=total, desc=desc, unit=unit, file=stream, leave=False, mininterval=0.5)

        return progress
