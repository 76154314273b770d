"""The filters of the mediation, session and confirmation lists (issue 14, item 12): one FilterSet per list,
read by the API and by the page, so the same bad value is the same error on both; `open` names the open
states on both; the mediation page's `whose` says what the API's `mine` says; the schema names them all."""

import re

import pytest

from mediation.api.confirmations import ConfirmationViewSet
from mediation.api.mediations import MediationViewSet
from mediation.api.sessions import SessionViewSet
from mediation.filters import ConfirmationFilter, MediationFilter, MediationListFilter, SessionFilter
from mediation.models import Mediation
from tests.cases.conftest import deliver_pending
from tests.mediation.conftest import accepted, open_headline, schedule

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message", "fields"}


def refused(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == SHAPE and body["code"] == "invalid"
    return body["fields"]


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def page_error(page: str, field: str) -> str:
    found = re.search(rf'data-testid="error-{field}">(.*?)</div>', page, re.S)
    assert found, f"no error on {field}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def shown(page: str) -> set[str]:
    return set(re.findall(r'data-testid="mediation-([^"]+)"', page))


@pytest.fixture
def three(fenhu_judge, xitang_judge):
    """Fenhu's mediations: one Xitang accepted, one proposed to Xitang, one withdrawn."""
    running = accepted(fenhu_judge, xitang_judge)
    proposed, _code = open_headline(fenhu_judge)
    ended, _code = open_headline(fenhu_judge)
    deliver_pending()
    Mediation.objects.filter(pk=ended.pk).update(state="withdrawn")
    return {"accepted": running, "proposed": proposed, "withdrawn": ended}


def test_each_list_endpoint_filters_with_its_lists_filterset():
    assert MediationViewSet.filterset_class is MediationFilter
    assert SessionViewSet.filterset_class is SessionFilter
    assert ConfirmationViewSet.filterset_class is ConfirmationFilter
    assert issubclass(MediationListFilter, MediationFilter)  # the page's: `whose` in place of `mine`


@pytest.mark.parametrize(
    ("api_url", "page_url", "query", "field"),
    [
        ("/api/mediations/", "/mediations/", "state=sleeping", "state"),
        ("/api/mediations/", "/mediations/", f"search={'调' * 101}", "search"),
        ("/api/confirmations/", "/confirmations/", "state=pending", "state"),
    ],
)
def test_the_same_bad_value_is_the_same_error_on_the_api_and_the_page(
    api_as, client, fenhu_judge, api_url, page_url, query, field
):
    api_messages = refused(api_as(fenhu_judge).get(f"{api_url}?{query}"))
    client.force_login(fenhu_judge)

    assert page_error(html(client.get(f"{page_url}?{query}")), field) == " ".join(api_messages[field])


def test_open_names_the_open_states_on_the_api_and_the_page(three, api_as, client, fenhu_judge):
    still_open = {three["accepted"].pk, three["proposed"].pk}
    client.force_login(fenhu_judge)

    assert ids(api_as(fenhu_judge).get("/api/mediations/", {"state": "open"})) == still_open
    assert ids(api_as(fenhu_judge).get("/api/mediations/", {"state": ["withdrawn", "accepted"]})) == {
        three["withdrawn"].pk,
        three["accepted"].pk,
    }
    page = html(client.get("/mediations/?state=open"))
    assert shown(page) == {three["accepted"].number, three["proposed"].number}


def test_mine_takes_true_or_false_and_refuses_anything_else(three, api_as, xitang_judge):
    xitang = api_as(xitang_judge)

    assert ids(xitang.get("/api/mediations/", {"mine": "true"})) == {three["accepted"].pk}
    assert ids(xitang.get("/api/mediations/", {"mine": "false"})) == {row.pk for row in three.values()}
    assert "mine" in refused(xitang.get("/api/mediations/", {"mine": "perhaps"}))


def test_the_page_shows_a_judge_their_tribunals_unless_asked_for_all(three, client, xitang_judge):
    client.force_login(xitang_judge)
    mine = html(client.get("/mediations/"))

    assert shown(mine) == {three["accepted"].number}
    assert '<option value="mine" selected>' in mine
    everything = html(client.get("/mediations/?whose=all&search=" + three["proposed"].number))
    assert shown(everything) == {three["proposed"].number}
    assert 'name="mine"' not in everything  # the page says it with `whose`


def test_an_empty_value_means_no_filter(three, api_as, fenhu_judge):
    fenhu = api_as(fenhu_judge)

    assert ids(fenhu.get("/api/mediations/?state=&mine=&search=")) == {row.pk for row in three.values()}
    assert fenhu.get("/api/mediation-sessions/?tribunal=&starts_from=&state=").status_code == 200
    assert fenhu.get("/api/confirmations/?state=").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("starts_from=9999-12-31", "starts_from"),
        ("starts_to=0001-01-01", "starts_to"),
        ("starts_to=2026-02-30", "starts_to"),
        ("tribunal=nowhere", "tribunal"),
        ("state=sleeping", "state"),
    ],
)
def test_a_bad_session_filter_is_a_400_naming_it(api_as, fenhu_judge, query, field):
    assert field in refused(api_as(fenhu_judge).get(f"/api/mediation-sessions/?{query}"))


def test_sessions_filter_by_state(three, api_as, fenhu_judge):
    session = schedule(three["accepted"], fenhu_judge)
    fenhu = api_as(fenhu_judge)

    assert ids(fenhu.get("/api/mediation-sessions/", {"state": "scheduled"})) == {session.pk}
    assert ids(fenhu.get("/api/mediation-sessions/", {"state": ["held", "cancelled"]})) == set()


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/mediations/", {"state", "mine", "search"}),
        ("/api/mediation-sessions/", {"tribunal", "starts_from", "starts_to", "state"}),
        ("/api/confirmations/", {"state"}),
    ],
)
def test_the_schema_lists_each_lists_filters(api_schema, path, names):
    schema = api_schema
    parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}

    assert names | {"page", "page_size"} == set(parameters) - {"format"}
    assert parameters["state"]["schema"]["type"] == "array"
    if path == "/api/mediations/":
        assert parameters["mine"]["schema"]["type"] == "boolean"
        assert "open" in parameters["state"]["schema"]["items"]["enum"]
