"""The lists' filters (issue 14, item 12): one FilterSet per list, read by the API and by the page. The case
list's filters and sort, the request list's result column, the same bad value refused the same way on both,
and the schema naming each list's parameters."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.api.filings import CaseViewSet, FilingViewSet
from cases.api.requests import PreservationRequestViewSet, ServiceRequestViewSet
from cases.filters import CaseFilter, FilingFilter, PreservationRequestFilter, ServiceRequestFilter
from cases.models import Case, CaseType, PreservationMeasure, PreservationRequest, ServiceRequest
from cases.services.service_requests import DocumentInput, service_request_create
from courts.legal_calendar import COURT_TZ
from courts.models import Court
from tests.cases.conftest import deliver_pending, make_case, submit
from tests.cases.test_request_pages import send_preservation, send_service
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

CASES = "/api/cases/"
SHAPE = {"code", "message", "fields"}


def case_of(court_code: str, type_code: str, sequence: int, registered: dt.datetime, **extra) -> Case:
    court = Court.objects.get(code=court_code)
    case_type = CaseType.objects.get(code=type_code)
    return Case.objects.create(
        number=f"（2026）{court.case_code}{type_code}{sequence}号",
        court=court,
        case_type=case_type,
        year=2026,
        sequence=sequence,
        cause=extra.pop("cause", "买卖合同纠纷"),
        registered_at=registered,
        **extra,
    )


def at(day: int, hour: int = 0, minute: int = 30) -> dt.datetime:
    """2026-03-`day` in Shanghai; just after midnight is the day before in UTC."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=COURT_TZ)


@pytest.fixture
def cases(courts):
    """Qingpu's cases, and a Jiashan case Qingpu was asked to serve in (so Qingpu sees it too):
    first 民初1 (03-01), second 民初2 (03-02, closed), twelfth 民初12 (03-03, a lease), enforcement 执1
    (03-04), jiashan 浙0421民初1 (03-05); Wujiang's own case is not Qingpu's to see."""
    scene = {
        "first": case_of("qingpu", "民初", 1, at(1)),
        "second": case_of("qingpu", "民初", 2, at(2), state="closed"),
        "twelfth": case_of("qingpu", "民初", 12, at(3), cause="房屋租赁合同纠纷"),
        "enforcement": case_of("qingpu", "执", 1, at(4)),
    }
    scene["jiashan"] = make_case("jiashan")
    Case.objects.filter(pk=scene["jiashan"].pk).update(registered_at=at(5))
    jiashan_clerk = make_staff("jiashan.lists", "jiashan", ["filing_clerk"])
    service_request_create(
        actor=jiashan_clerk,
        case=scene["jiashan"],
        entrusted_court=courts["qingpu"],
        recipient=scene["jiashan"].parties.get(role="defendant"),
        address="上海市青浦区",
        documents=[DocumentInput("起诉状副本")],
        method="direct",
    )
    deliver_pending()
    make_case("wujiang")
    return scene


@pytest.fixture
def qingpu_api(api_as, qingpu_clerk):
    return api_as(qingpu_clerk)


def listed(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def refused(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == SHAPE and body["code"] == "invalid"
    return body["fields"]


def rows(page: str) -> list[int]:
    """The case ids of a case list page, in order."""
    return [int(found) for found in re.findall(r'data-testid="case-(\d+)"', page)]


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- The case list: filters and sort ------------------------------------------------------------------------


class TestTheCaseListThroughTheApi:
    def test_unfiltered_it_lists_what_qingpu_may_see_newest_first(self, cases, qingpu_api):
        names = ["jiashan", "enforcement", "twelfth", "second", "first"]

        assert listed(qingpu_api.get(CASES)) == [cases[name].pk for name in names]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("state=closed", {"second"}),
            ("state=registered&state=closed", {"first", "second", "twelfth", "enforcement", "jiashan"}),
            ("court=jiashan", {"jiashan"}),
            ("court=wujiang", set()),
            ("case_type=执", {"enforcement"}),
            # Court days: 00:30 in Shanghai on the 2nd is the 1st in UTC, and counts as the 2nd.
            ("registered_from=2026-03-02&registered_to=2026-03-03", {"second", "twelfth"}),
            ("registered_to=2026-02-28", set()),
            ("search=租赁", {"twelfth"}),
            ("state=&court=&case_type=&registered_from=&search=&ordering=", None),
        ],
    )
    def test_it_filters_by_state_court_type_and_day(self, cases, qingpu_api, query, expected):
        everything = {"first", "second", "twelfth", "enforcement", "jiashan"}
        wanted = {cases[name].pk for name in (everything if expected is None else expected)}

        assert set(listed(qingpu_api.get(f"{CASES}?{query}"))) == wanted

    def test_it_finds_a_case_number_however_it_is_typed(self, cases, qingpu_api):
        twelfth = cases["twelfth"]

        assert listed(qingpu_api.get(CASES, {"search": "(2026)沪0118民初12号"})) == [twelfth.pk]
        assert listed(qingpu_api.get(CASES, {"search": " （２０２６） 沪0118民初１２号 "})) == [twelfth.pk]

    @pytest.mark.parametrize(
        ("ordering", "expected"),
        [
            ("number", ["first", "second", "twelfth"]),
            ("-number", ["twelfth", "second", "first"]),
            ("registered_at", ["first", "second", "twelfth"]),
            ("-registered_at", ["twelfth", "second", "first"]),
        ],
    )
    def test_it_sorts_by_number_in_its_parts_or_by_registration(self, cases, qingpu_api, ordering, expected):
        Case.objects.filter(pk=cases["first"].pk).update(registered_at=at(1, 9))
        query = {"court": "qingpu", "case_type": "民初", "ordering": ordering}

        assert listed(qingpu_api.get(CASES, query)) == [cases[name].pk for name in expected]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("state=nonsense", "state"),
            ("court=nowhere", "court"),
            ("case_type=刑初", "case_type"),
            ("registered_from=notadate", "registered_from"),
            ("registered_to=9999-12-31", "registered_to"),
            ("ordering=sideways", "ordering"),
            (f"search={'号' * 101}", "search"),
        ],
    )
    def test_a_bad_value_is_a_400_naming_its_field(self, cases, qingpu_api, query, field):
        assert field in refused(qingpu_api.get(f"{CASES}?{query}"))

    def test_the_outsider_lists_nothing(self, cases, api_as, outsider):
        assert listed(api_as(outsider).get(CASES, {"court": "qingpu"})) == []

    def test_the_list_costs_the_same_queries_for_3_and_30_cases(self, courts, qingpu_api):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert qingpu_api.get(CASES, {"court": "qingpu", "ordering": "number"}).status_code == 200
            return len(captured)

        for _ in range(3):
            make_case("qingpu")
        few = queries()
        for _ in range(27):
            make_case("qingpu")

        assert queries() == few


class TestTheCaseListPage:
    def test_it_offers_the_filters_and_the_sort(self, cases, client, qingpu_clerk):
        client.force_login(qingpu_clerk)
        page = html(client.get("/cases/"))

        for name in ("state", "court", "case_type", "registered_from", "registered_to", "search", "ordering"):
            assert f'name="{name}"' in page
        assert rows(page)[0] == cases["jiashan"].pk  # newest first, as before

    def test_it_filters_and_sorts_as_the_api_does(self, cases, client, qingpu_clerk):
        client.force_login(qingpu_clerk)

        assert rows(html(client.get("/cases/?state=closed"))) == [cases["second"].pk]
        assert rows(html(client.get("/cases/?court=jiashan"))) == [cases["jiashan"].pk]
        by_number = html(client.get("/cases/?court=qingpu&case_type=民初&ordering=-number"))
        assert rows(by_number) == [cases[name].pk for name in ("twelfth", "second", "first")]
        assert '<option value="-number" selected>' in by_number
        assert rows(html(client.get("/cases/?search=(2026)沪0118执1号"))) == [cases["enforcement"].pk]

    def test_paging_keeps_the_filters_and_the_sort(self, courts, client, qingpu_clerk):
        Case.objects.bulk_create(
            Case(
                number=f"（2026）沪0118民初{sequence}号",
                court=courts["qingpu"],
                case_type=CaseType.objects.get(code="民初"),
                year=2026,
                sequence=sequence,
                cause="买卖合同纠纷",
            )
            for sequence in range(1, 53)
        )
        client.force_login(qingpu_clerk)
        first = html(client.get("/cases/?case_type=民初&ordering=number"))

        assert "ordering=number&page=2" in first.replace("&amp;", "&")
        second = html(client.get("/cases/?case_type=民初&ordering=number&page=2"))
        numbers = [Case.objects.get(pk=pk).sequence for pk in rows(second)]
        assert numbers == [51, 52]

    def test_a_bad_value_shows_its_error_on_its_field(self, cases, client, qingpu_clerk):
        client.force_login(qingpu_clerk)
        page = html(client.get("/cases/?registered_from=9999-12-31&state=closed"))

        assert 'data-testid="error-registered_from"' in page
        assert "1900" in page
        assert rows(page) == [cases["second"].pk]  # the filters that are right still apply

    def test_the_page_costs_the_same_queries_for_3_and_30_cases(self, courts, client, qingpu_clerk):
        client.force_login(qingpu_clerk)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/cases/?court=qingpu&ordering=number").status_code == 200
            return len(captured)

        for _ in range(3):
            make_case("qingpu")
        few = queries()
        for _ in range(27):
            make_case("qingpu")

        assert queries() == few


# --- The request list's result column -----------------------------------------------------------------------


def test_the_request_list_shows_each_requests_result(client, qingpu_clerk, qingpu_case, courts):
    served, failed, waiting = (send_service(qingpu_clerk, qingpu_case, courts) for _ in range(3))
    preserved = send_preservation(qingpu_clerk, qingpu_case, courts)
    deliver_pending()
    ServiceRequest.objects.filter(pk=served.pk).update(state="served", served_on=dt.date(2026, 3, 9))
    ServiceRequest.objects.filter(pk=failed.pk).update(state="failed", failure_reason="moved")
    measures = PreservationMeasure.objects.filter(request=preserved).order_by("id")
    measures.filter(pk=measures[0].pk).update(
        result="done", amount_done=Decimal("200000"), term_ends_on=dt.date(2027, 3, 9)
    )
    PreservationRequest.objects.filter(pk=preserved.pk).update(state="partly_carried_out")
    client.force_login(qingpu_clerk)
    page = html(client.get("/requests/"))

    def result(record) -> str:
        cell = re.search(rf'data-testid="result-{re.escape(record.reference)}">(.*?)</td>', page, re.S)
        return cell.group(1).strip()

    assert "2026-03-09" in result(served)
    assert "搬迁" in result(failed) or "moved" in result(failed)
    assert result(waiting) == "—"
    assert "200,000.00" in result(preserved) and "2027-03-09" in result(preserved)
    assert 'data-label="' in page


# --- One FilterSet for the API and the page -----------------------------------------------------------------


def test_each_list_endpoint_filters_with_its_lists_filterset():
    assert FilingViewSet.filterset_class is FilingFilter
    assert CaseViewSet.filterset_class is CaseFilter
    assert ServiceRequestViewSet.filterset_class is ServiceRequestFilter
    assert PreservationRequestViewSet.filterset_class is PreservationRequestFilter


def page_error(page: str, field: str) -> str:
    found = re.search(rf'data-testid="error-{field}">(.*?)</div>', page, re.S)
    assert found, f"no error on {field}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


@pytest.mark.parametrize(
    ("api_url", "page_url", "query", "field"),
    [
        ("/api/filings/", "/filings/", "state=nonsense", "state"),
        ("/api/filings/", "/filings/", "court=nowhere", "court"),
        ("/api/filings/", "/filings/", "submitted_from=2026-02-30", "submitted_from"),
        ("/api/filings/", "/filings/", "submitted_to=0001-01-01", "submitted_to"),
        ("/api/filings/", "/filings/", "direction=sideways", "direction"),
        ("/api/filings/", "/filings/", "overdue=perhaps", "overdue"),
        ("/api/cases/", "/cases/", "registered_from=9999-12-31", "registered_from"),
        ("/api/cases/", "/cases/", "ordering=sideways", "ordering"),
        ("/api/cases/", "/cases/", "case_type=刑初", "case_type"),
        ("/api/service-requests/", "/requests/", "direction=sideways", "direction"),
        ("/api/service-requests/", "/requests/", "overdue=perhaps", "overdue"),
        ("/api/preservation-requests/", "/requests/", "state=nonsense", "state"),
    ],
)
def test_the_same_bad_value_is_the_same_error_on_the_api_and_the_page(
    api_as, client, qingpu_clerk, api_url, page_url, query, field
):
    api_messages = refused(api_as(qingpu_clerk).get(f"{api_url}?{query}"))
    client.force_login(qingpu_clerk)
    page = html(client.get(f"{page_url}?{query}"))

    assert page_error(page, field) == " ".join(api_messages[field])


def test_an_empty_value_means_no_filter_on_the_page_too(client, wujiang_clerk, qingpu_clerk, courts):
    filing, _code = submit(wujiang_clerk, courts)
    client.force_login(qingpu_clerk)
    page = html(client.get("/filings/?state=&court=&direction=&submitted_from=&overdue=&search="))

    assert filing.receipt_number in page and "errorlist" not in page


def test_the_filing_page_and_api_take_a_state_and_a_number_alike(
    client, api_as, wujiang_clerk, qingpu_clerk, courts
):
    filing, _code = submit(wujiang_clerk, courts)
    other, _code = submit(wujiang_clerk, courts)
    typed = filing.receipt_number.lower().translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    client.force_login(qingpu_clerk)

    assert listed(api_as(qingpu_clerk).get("/api/filings/", {"search": typed})) == [filing.pk]
    page = html(client.get("/filings/", {"search": typed, "state": "submitted"}))
    assert filing.receipt_number in page and other.receipt_number not in page


# --- The schema ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "names"),
    [
        (
            "/api/filings/",
            {"state", "court", "direction", "submitted_from", "submitted_to", "overdue", "search"},
        ),
        (
            "/api/cases/",
            {"state", "court", "case_type", "registered_from", "registered_to", "search", "ordering"},
        ),
        ("/api/service-requests/", {"state", "direction", "overdue", "search"}),
        ("/api/preservation-requests/", {"state", "direction", "overdue", "search"}),
    ],
)
def test_the_schema_lists_each_lists_filters(api_schema, path, names):
    schema = api_schema
    parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}

    assert names | {"page", "page_size"} == set(parameters) - {"format"}
    assert parameters["state"]["schema"]["type"] == "array" and parameters["state"]["explode"] is True
    assert "400" in schema["paths"][path]["get"]["responses"]
    if path == "/api/cases/":
        assert set(parameters["ordering"]["schema"]["items"]["enum"]) == {
            "number",
            "-number",
            "registered_at",
            "-registered_at",
        }
        assert parameters["registered_from"]["schema"] == {"type": "string", "format": "date"}
    if path == "/api/service-requests/":
        states = parameters["state"]["schema"]["items"]["enum"]
        assert "served" in states and "carried_out" not in states
