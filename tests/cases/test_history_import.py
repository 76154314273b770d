"""The history import (issue 10, item 5): every column checked with its line number, all or nothing, once
only, CSV (with or without BOM) and XLSX, sealed ID numbers, a timeline event per case, and the case-number
sequences continuing after the imported numbers."""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import tablib
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from cases.identity import resident_id_check_character, uscc_check_character
from cases.models import Case, CaseType, Party
from cases.services.case_numbers import case_sequence_name
from cases.services.filings import filing_register
from cases.services.history_import import COLUMNS, HistoryInvalid, history_import
from courts.legal_calendar import COURT_TZ
from courts.models import Event, Sequence
from courts.personal_data import lookup_hash, unseal
from courts.timeline import action_label
from tests.cases.conftest import DEFENDANT_USCC, PLAINTIFF_ID, deliver_pending, make_case, submit

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "history-example.csv"


def resident_id(region: str = "320509", birth: str = "19800101", serial: int = 1) -> str:
    first17 = f"{region}{birth}{serial:03d}"
    return first17 + resident_id_check_character(first17)


def uscc(region: str = "310118", organisation: str = "MA1AB2C3D") -> str:
    first17 = f"91{region}{organisation}"
    return first17 + uscc_check_character(first17)


def row(**overrides) -> dict:
    values = {
        "case_number": "（2019）沪0118民初101号",
        "court": "qingpu",
        "cause": "买卖合同纠纷",
        "claim_amount": "158000.00",
        "registered_on": "2019-03-04",
        "closed_on": "2019-06-20",
        "role": "plaintiff",
        "kind": "person",
        "name": "张某某",
        "id_number": PLAINTIFF_ID,
    }
    values.update(overrides)
    return values


def two_cases() -> list[dict]:
    """Lines 2-5: a closed Qingpu case (plaintiff, defendant company) and an open Jiashan one."""
    return [
        row(),
        row(role="defendant", kind="organisation", name="上海某贸易有限公司", id_number=DEFENDANT_USCC),
        row(
            case_number="（2020）浙0421民初7号",
            court="jiashan",
            cause="民间借贷纠纷",
            claim_amount="",
            registered_on="2020-05-11",
            closed_on="",
            name="王某某",
            id_number=resident_id("330421", "19751203", 12),
        ),
        row(
            case_number="（2020）浙0421民初7号",
            court="jiashan",
            cause="民间借贷纠纷",
            claim_amount="",
            registered_on="2020-05-11",
            closed_on="",
            role="defendant",
            name="赵某某",
            id_number="",
        ),
    ]


def as_csv(rows: list[dict], *, bom: bool = False, blank_after: int | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for index, values in enumerate(rows):
        writer.writerow([values[column] for column in COLUMNS])
        if blank_after is not None and index == blank_after:
            out.write("\r\n")
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def as_xlsx(rows: list[dict]) -> bytes:
    """A workbook as a spreadsheet program saves one: dates as dates, amounts as numbers."""
    dataset = tablib.Dataset(headers=list(COLUMNS))
    for values in rows:
        cells = dict(values)
        for column in ("registered_on", "closed_on"):
            cells[column] = dt.date.fromisoformat(cells[column]) if cells[column] else None
        cells["claim_amount"] = float(cells["claim_amount"]) if cells["claim_amount"] else None
        dataset.append([cells[column] for column in COLUMNS])
    return dataset.export("xlsx")


def errors_of(content: bytes) -> list[tuple[int, str]]:
    with pytest.raises(HistoryInvalid) as invalid:
        history_import(content=content)
    return [(error.line, error.column) for error in invalid.value.errors]


def nothing_imported():
    return not Case.objects.exists() and not Party.objects.exists() and not Event.objects.exists()


class TestValidation:
    @pytest.mark.parametrize(
        "column, value",
        [
            ("case_number", "2019沪0118民初101号"),  # no brackets around the year
            ("case_number", "（2019）沪0118民初0101号"),  # a leading zero
            ("case_number", "（2019）苏0509民初101号"),  # Wujiang's code on a Qingpu row
            ("case_number", "（2019）京0101民初101号"),  # not a court of the zone
            ("case_number", "（2019）沪0118刑初101号"),  # a type code nobody uses here
            ("case_number", "（1930）沪0118民初101号"),
            ("court", "shanghai"),
            ("court", ""),
            ("cause", ""),
            ("cause", "纠" * 101),
            ("claim_amount", "十万元"),
            ("claim_amount", "158,000.00"),
            ("claim_amount", "1.005"),
            ("claim_amount", "-5"),
            ("claim_amount", "0"),
            ("registered_on", ""),
            ("registered_on", "2019/03/04"),
            ("registered_on", "2019-02-30"),
            ("registered_on", "2021-03-04"),  # two years after the number's
            ("registered_on", "2018-12-30"),  # before the number's year
            ("closed_on", "20.06.2019"),
            ("closed_on", "2019-03-01"),  # before it was registered
            ("closed_on", (timezone.localdate() + dt.timedelta(days=2)).isoformat()),
            ("role", "judge"),
            ("role", ""),
            ("kind", "company"),
            ("name", ""),
            ("name", "张" * 101),
            ("id_number", PLAINTIFF_ID[:-1] + "0"),  # the check digit is wrong
            ("id_number", "320509199002301234"),  # no 30 February
            ("id_number", ""),  # a plaintiff's ID number is required, as at the window
            ("id_number", DEFENDANT_USCC),  # a credit code for a person
        ],
    )
    def test_it_reports_each_columns_bad_value_on_its_line(self, courts, column, value):
        # Line 6: a third party of the first case, with one bad value.
        extra = row(role="third_party", name="孙某某", id_number=resident_id("310118", "19900315", 7))
        extra[column] = value
        if column == "id_number":
            extra["role"] = "plaintiff"
        assert errors_of(as_csv([*two_cases(), extra])) == [(6, column)]
        assert nothing_imported()

    def test_a_bad_organisation_credit_code_is_reported(self, courts):
        rows = two_cases()
        rows[1]["id_number"] = DEFENDANT_USCC[:-1] + ("A" if DEFENDANT_USCC[-1] != "A" else "B")
        assert errors_of(as_csv(rows)) == [(3, "id_number")]

    def test_it_reports_every_bad_row_in_line_order_with_reasons(self, courts):
        rows = two_cases()
        rows[0]["claim_amount"] = rows[1]["claim_amount"] = "abc"
        rows[3]["registered_on"] = "someday"
        rows[3]["kind"] = "robot"
        # A blank line after the first row: it is skipped, but the lines below keep their numbers.
        content = as_csv(rows, blank_after=0)
        with translation.override("en"), pytest.raises(HistoryInvalid) as invalid:
            history_import(content=content)
        errors = invalid.value.errors
        assert [(e.line, e.column) for e in errors] == [
            (2, "claim_amount"),
            (4, "claim_amount"),  # the same bad amount, repeated on the case's second row
            (6, "registered_on"),
            (6, "kind"),
        ]
        assert "158000.00" in errors[0].message
        assert errors[2].message == "Enter the date as YYYY-MM-DD."
        assert errors[3].message == "Choose natural person or organisation."

    def test_the_case_number_court_must_be_the_rows_court(self, courts):
        rows = two_cases()
        rows[2]["court"] = rows[3]["court"] = "wujiang"
        with translation.override("en"), pytest.raises(HistoryInvalid) as invalid:
            history_import(content=as_csv(rows))
        assert [(e.line, e.column) for e in invalid.value.errors] == [(4, "case_number"), (5, "case_number")]
        assert "浙0421" in invalid.value.errors[0].message and "苏0509" in invalid.value.errors[0].message

    def test_rows_of_one_case_must_agree(self, courts):
        rows = two_cases()
        rows[1]["cause"] = "租赁合同纠纷"
        rows[1]["claim_amount"] = "158000"  # the same amount written otherwise is the same
        rows[3]["closed_on"] = "2020-12-01"
        with translation.override("en"), pytest.raises(HistoryInvalid) as invalid:
            history_import(content=as_csv(rows))
        assert [(e.line, e.column) for e in invalid.value.errors] == [(3, "cause"), (5, "closed_on")]
        assert "line 2" in invalid.value.errors[0].message

    def test_a_case_needs_a_plaintiff_and_a_defendant(self, courts):
        rows = two_cases()[:3]  # the Jiashan case has lost its defendant
        assert errors_of(as_csv(rows)) == [(4, "role")]

    def test_the_same_party_twice_in_a_case_is_a_bad_row(self, courts):
        rows = two_cases()
        rows.insert(1, dict(rows[0]))
        assert errors_of(as_csv(rows)) == [(3, "name")]

    def test_a_missing_column_is_reported_on_the_header_line(self, courts):
        content = as_csv(two_cases()).decode().replace(",closed_on,", ",closed,", 1).encode()
        assert errors_of(content) == [(1, "closed_on")]

    def test_a_row_with_more_cells_than_the_header_is_reported(self, courts):
        content = as_csv(two_cases()).decode().splitlines()
        content[2] += ",extra"
        assert errors_of("\n".join(content).encode()) == [(3, "")]

    def test_a_file_that_is_not_utf8_is_reported_with_its_line(self, courts):
        content = as_csv(two_cases()).decode().encode("gb18030")
        assert errors_of(content) == [(2, "")]

    def test_a_file_with_only_a_header_is_refused(self, courts):
        assert errors_of(as_csv([])) == [(1, "")]


class TestImport:
    def test_it_imports_the_cases_with_their_numbers_states_and_dates(self, courts):
        result = history_import(content=as_csv(two_cases()), source="old.csv")
        assert (result.cases, result.parties, result.skipped, result.rows) == (2, 4, 0, 4)
        closed = Case.objects.get(number="（2019）沪0118民初101号")
        assert closed.court.code == "qingpu" and closed.case_type.code == "民初"
        assert (closed.year, closed.sequence) == (2019, 101)
        assert closed.state == "closed" and closed.claim_amount == Decimal("158000.00")
        assert closed.registered_at == dt.datetime(2019, 3, 4, tzinfo=COURT_TZ)
        assert closed.closed_at == dt.datetime(2019, 6, 20, tzinfo=COURT_TZ)
        assert closed.origin_filing is None and closed.query_code_hash == ""
        assert list(closed.parties.values_list("position", "role", "kind", "name")) == [
            (0, "plaintiff", "person", "张某某"),
            (1, "defendant", "organisation", "上海某贸易有限公司"),
        ]
        open_case = Case.objects.get(number="（2020）浙0421民初7号")
        assert open_case.state == "registered" and open_case.closed_at is None
        assert open_case.claim_amount is None

    def test_each_case_gets_one_imported_event_on_its_timeline(self, courts):
        history_import(content=as_csv(two_cases()), source="old.csv")
        events = Event.objects.filter(subject_type="cases.case").order_by("subject_id")
        assert [(e.action, e.to_state, e.actor_id, e.actor_court.code) for e in events] == [
            ("case.imported", "closed", None, "qingpu"),
            ("case.imported", "registered", None, "jiashan"),
        ]
        case = Case.objects.get(number="（2019）沪0118民初101号")
        assert events[0].subject_id == case.pk
        assert events[0].payload == {
            "case_number": case.number,
            "source": "old.csv",
            "registered_on": "2019-03-04",
            "closed_on": "2019-06-20",
        }
        with translation.override("en"):
            assert action_label("case.imported") == "imported from the court's earlier records"

    def test_id_numbers_are_sealed_never_stored_in_plain(self, courts):
        history_import(content=as_csv(two_cases()))
        plaintiff = Party.objects.get(name="张某某")
        stored = [plaintiff.id_number_cipher, plaintiff.id_number_lookup, plaintiff.id_number_masked]
        assert not any(PLAINTIFF_ID in value for value in stored)
        assert unseal(plaintiff.id_number_cipher) == PLAINTIFF_ID
        assert plaintiff.id_number_lookup == lookup_hash(PLAINTIFF_ID)
        assert plaintiff.id_number_masked == PLAINTIFF_ID[:4] + "*" * 10 + PLAINTIFF_ID[-4:]
        assert plaintiff.id_type == "resident_id"
        assert Party.objects.get(name="上海某贸易有限公司").id_type == "uscc"
        assert Party.objects.get(name="赵某某").id_number_cipher == ""

    def test_one_bad_row_imports_nothing_at_all(self, courts):
        rows = two_cases()
        rows.append(row(case_number="（2021）沪0118民初5号", registered_on="2021-01-05", name=""))
        with pytest.raises(HistoryInvalid):
            history_import(content=as_csv(rows))
        assert nothing_imported()
        assert not Sequence.objects.filter(name__startswith="case:").exists()

    def test_importing_the_same_file_again_adds_nothing(self, courts):
        content = as_csv(two_cases())
        history_import(content=content)
        counts = (Case.objects.count(), Party.objects.count(), Event.objects.count())
        again = history_import(content=content)
        assert (again.cases, again.parties, again.skipped) == (0, 0, 2)
        assert (Case.objects.count(), Party.objects.count(), Event.objects.count()) == counts

    def test_a_case_number_already_there_for_the_same_case_is_skipped_and_the_rest_imported(self, courts):
        there = make_case("qingpu", sequence=101)  # （2026）沪0118民初101号, registered here
        rows = two_cases()
        for values in rows[:2]:
            values.update(
                case_number=there.number,
                cause=there.cause,
                registered_on=there.registered_at.astimezone(COURT_TZ).date().isoformat(),
                closed_on="",
            )
        result = history_import(content=as_csv(rows))
        assert (result.cases, result.skipped) == (1, 1)
        assert Case.objects.get(number=there.number).parties.get(role="plaintiff").name == "王五"

    def test_a_case_number_there_for_a_different_case_is_a_bad_row_never_skipped(self, courts):
        there = make_case("qingpu", sequence=101)
        rows = two_cases()
        for values in rows[:2]:
            values.update(case_number=there.number, registered_on="2026-01-05", closed_on="")
        assert errors_of(as_csv(rows)) == [(2, "case_number")]
        assert Case.objects.count() == 1

    def test_an_id_number_stored_as_a_spreadsheet_number_is_refused(self, courts):
        rows = two_cases()
        book = tablib.Dataset(headers=list(COLUMNS))
        for index, values in enumerate(rows):
            cells = [values[column] for column in COLUMNS]
            if index == 1 and values["id_number"][:-1].isdigit() and values["id_number"][-1].isdigit():
                cells[COLUMNS.index("id_number")] = int(values["id_number"])
            elif index == 1:
                cells[COLUMNS.index("id_number")] = (
                    110101199003070000  # an 18-digit number, as Excel keeps it
                )
            book.append(cells)
        assert errors_of(book.export("xlsx")) == [(3, "id_number")]
        assert nothing_imported()

    def test_half_width_brackets_are_read_and_the_number_kept_in_its_usual_form(self, courts):
        rows = two_cases()
        for values in rows[:2]:
            values["case_number"] = "(2019)沪0118民初101号"
        history_import(content=as_csv(rows))
        assert Case.objects.filter(number="（2019）沪0118民初101号").exists()

    def test_a_csv_with_a_byte_order_mark_imports(self, courts):
        assert history_import(content=as_csv(two_cases(), bom=True)).cases == 2

    def test_an_xlsx_workbook_imports_like_the_csv(self, courts):
        result = history_import(content=as_xlsx(two_cases()))
        assert (result.cases, result.parties) == (2, 4)
        case = Case.objects.get(number="（2019）沪0118民初101号")
        assert case.claim_amount == Decimal("158000.00")
        assert case.closed_at == dt.datetime(2019, 6, 20, tzinfo=COURT_TZ)

    def test_an_xlsx_bad_row_is_reported_on_its_sheet_row(self, courts):
        rows = two_cases()
        good = rows[2]["id_number"]
        rows[2]["id_number"] = good[:-1] + ("0" if good[-1] != "0" else "1")
        assert errors_of(as_xlsx(rows)) == [(4, "id_number")]

    def test_a_dry_run_checks_and_counts_but_writes_nothing(self, courts):
        result = history_import(content=as_csv(two_cases()), dry_run=True)
        assert (result.cases, result.parties, result.dry_run) == (2, 4, True)
        assert nothing_imported()

    def test_the_example_file_in_docs_imports(self, courts):
        result = history_import(content=EXAMPLE.read_bytes(), source=EXAMPLE.name)
        assert result.cases == 6 and result.skipped == 0
        assert set(Case.objects.values_list("court__code", flat=True)) == {"wujiang", "qingpu", "jiashan"}


class TestSequences:
    def test_a_case_registered_after_the_import_takes_the_next_number(
        self, wujiang_clerk, qingpu_clerk, courts
    ):
        year = timezone.localdate().year
        rows = two_cases()[:2]
        for values in rows:
            values.update(
                case_number=f"（{year}）沪0118民初41号", registered_on=f"{year}-01-01", closed_on=""
            )
        rows += [{**values, "case_number": f"（{year}）沪0118民初7号"} for values in rows]
        history_import(content=as_csv(rows))
        filing, _code = submit(wujiang_clerk, courts)
        deliver_pending()
        case = filing_register(filing_id=filing.pk, actor=qingpu_clerk)
        assert case.number == f"（{year}）沪0118民初42号"

    def test_a_sequence_already_past_the_imported_numbers_is_not_lowered(self, courts):
        civil = CaseType.objects.get(code="民初")
        name = case_sequence_name(court_id=courts["qingpu"].pk, case_type_id=civil.pk, year=2019)
        Sequence.objects.create(name=name, value=500)
        history_import(content=as_csv(two_cases()))
        assert Sequence.objects.get(name=name).value == 500
        jiashan = case_sequence_name(court_id=courts["jiashan"].pk, case_type_id=civil.pk, year=2020)
        assert Sequence.objects.get(name=jiashan).value == 7


class TestCommand:
    def write(self, tmp_path, content: bytes, name: str = "history.csv") -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    def test_it_imports_and_sums_up_on_one_line_with_no_bar_off_a_terminal(self, courts, tmp_path):
        out, err = io.StringIO(), io.StringIO()
        with translation.override("en"):
            call_command("import_history", self.write(tmp_path, as_csv(two_cases())), stdout=out, stderr=err)
        assert out.getvalue() == "2 cases imported with 4 parties; 0 already there, skipped (4 rows read).\n"
        assert err.getvalue() == ""
        assert Case.objects.count() == 2

    def test_it_draws_a_progress_bar_on_a_terminal(self, courts, tmp_path):
        class Terminal(io.StringIO):
            def isatty(self):
                return True

        err = Terminal()
        with translation.override("en"):
            call_command(
                "import_history", self.write(tmp_path, as_csv(two_cases())), stdout=io.StringIO(), stderr=err
            )
        assert "checking rows" in err.getvalue() and "importing cases" in err.getvalue()

    def test_bad_rows_are_listed_by_line_and_the_exit_status_is_not_zero(
        self, courts, tmp_path, capsys, monkeypatch
    ):
        rows = two_cases()
        rows[1]["id_number"] = "91310118MA1JL5PX4Q"
        rows[3]["court"] = "nanjing"
        path = self.write(tmp_path, as_csv(rows))
        # run_from_argv closes the connections when it ends; the test's transaction must outlive it.
        monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
        with translation.override("en"), pytest.raises(SystemExit) as exit_status:
            ManagementUtility(["manage.py", "import_history", path]).execute()
        assert exit_status.value.code != 0
        err = capsys.readouterr().err.splitlines()
        assert err[0] == (
            "history.csv: line 3, id_number: The unified social credit code's check character is wrong."
        )
        assert err[1].startswith("history.csv: line 5, court: Unknown court nanjing")
        assert err[-1] == "CommandError: 2 bad lines: nothing was imported."
        assert nothing_imported()

    def test_a_dry_run_writes_nothing(self, courts, tmp_path):
        out = io.StringIO()
        with translation.override("en"):
            call_command(
                "import_history",
                self.write(tmp_path, as_xlsx(two_cases()), "h.xlsx"),
                "--dry-run",
                stdout=out,
            )
        assert out.getvalue().startswith("Dry run, nothing written: 2 cases with 4 parties")
        assert nothing_imported()

    def test_a_missing_file_is_a_command_error(self, courts, tmp_path):
        with pytest.raises(CommandError):
            call_command("import_history", str(tmp_path / "none.csv"))
