"""The filing, case and party API end to end through the DRF test client: the shapes a court's system codes
against, refused input, transitions as POST actions, who sees what (another court's record is a 404), query
counts on the lists, filters, attachments, revealing identity, and translated messages.

The services themselves are tested in test_filing_services.py; here everything goes over HTTP, and the
services are only called to set the scene (deliveries, registrations in bulk).
"""

import datetime as dt
import hashlib
import struct
import zlib
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Filing, FilingAttachment, Party
from cases.services import filings as svc
from courts import query_codes
from courts.models import Delivery, PersonalDataAccess
from tests.cases.conftest import (
    DEFENDANT_USCC,
    PLAINTIFF_ID,
    deliver_pending,
    filing_payload,
    submit,
    working_day,
)
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message", "fields"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAINTIFF_PHONE = "13812345678"
DEFENDANT_PHONE = "021-59700000"
FILINGS = "/api/filings/"
CASES = "/api/cases/"
# The personas who must not learn that a Wujiang -> Qingpu filing exists.
STRANGERS = ["jiashan_clerk", "xitang_judge", "outsider"]


def filing_url(filing, action: str = "") -> str:
    filing_id = filing if isinstance(filing, int) else filing.pk
    return f"{FILINGS}{filing_id}/{action}/" if action else f"{FILINGS}{filing_id}/"


def case_url(case) -> str:
    return f"{CASES}{case.pk}/"


def error(response, status: int, code: str) -> dict:
    """The body of an error response, checked for its status, the one error shape and its code."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == SHAPE
    assert body["code"] == code
    return body


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def nothing_was_filed() -> bool:
    return not (Filing.objects.exists() or Party.objects.exists() or Delivery.objects.exists())


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def with_party(index: int, **changes) -> dict:
    """The payload's parties with one of them changed, as `filing_payload(**with_party(0, name=...))`."""
    parties = filing_payload()["parties"]
    parties[index] = {**parties[index], **changes}
    return {"parties": parties}


def without(field: str) -> dict:
    payload = filing_payload()
    del payload[field]
    return payload


def register(filing, actor) -> Case:
    return svc.filing_register(filing_id=filing.pk, actor=actor)


@pytest.fixture
def registered(received, qingpu_clerk) -> Case:
    return register(received, qingpu_clerk)


@pytest.fixture
def wujiang_api(api_as, wujiang_clerk):
    return api_as(wujiang_clerk)


@pytest.fixture
def qingpu_api(api_as, qingpu_clerk):
    return api_as(qingpu_clerk)


# --- POST /api/filings/ and GET /api/filings/{id}/ ----------------------------------------------------------


class TestFilingCreate:
    def test_a_window_clerk_files_and_gets_a_receipt_a_query_code_and_masked_parties(self, wujiang_api):
        response = wujiang_api.post(FILINGS, filing_payload(), format="json")

        assert response.status_code == 201, response.content
        body = response.json()
        filing = Filing.objects.get(pk=body["id"])
        assert body["receipt_number"] == filing.receipt_number
        assert body["receipt_number"].startswith("KY320509-")
        assert body["state"] == "submitted"
        assert (body["collaborating_court"], body["jurisdiction_court"]) == ("wujiang", "qingpu")
        assert len(body["query_code"]) == 8
        assert query_codes.matches(body["query_code"], filing.query_code_hash)[0]
        plaintiff, defendant = body["parties"]
        assert (plaintiff["role"], plaintiff["name"]) == ("plaintiff", "张三")
        assert plaintiff["id_number"] == "3205**********1239"
        assert plaintiff["phone"] == "138****5678"
        assert defendant["id_number"] == "9131**********PX4P"
        assert [event["action"] for event in body["timeline"]] == ["filing.submit"]

    def test_no_full_id_number_or_phone_appears_anywhere_in_the_response(self, wujiang_api):
        text = wujiang_api.post(FILINGS, filing_payload(), format="json").content.decode()

        for secret in (PLAINTIFF_ID, DEFENDANT_USCC, PLAINTIFF_PHONE, "59700000"):
            assert secret not in text

    def test_once_delivered_it_is_under_review_with_a_deadline_and_a_timeline(self, wujiang_api, qingpu_api):
        filing_id = wujiang_api.post(FILINGS, filing_payload(), format="json").json()["id"]
        assert deliver_pending() == 1

        for client in (wujiang_api, qingpu_api):
            response = client.get(filing_url(filing_id))
            assert response.status_code == 200
            body = response.json()
            assert body["state"] == "received"
            assert body["received_at"] is not None
            assert body["deadline"] is not None
            assert instant(body["deadline"]) == instant(body["decision_due_at"])
            assert [event["action"] for event in body["timeline"]] == ["filing.submit", "filing.receive"]

    def test_the_deadline_is_given_in_court_time_like_every_other_time(self, received, qingpu_api):
        body = qingpu_api.get(filing_url(received)).json()

        assert body["decision_due_at"].endswith("+08:00")
        assert body["deadline"] == body["decision_due_at"]

    def test_the_query_code_is_shown_once_only(self, wujiang_api):
        created = wujiang_api.post(FILINGS, filing_payload(), format="json").json()

        detail = wujiang_api.get(filing_url(created["id"]))

        assert "query_code" not in detail.json()
        assert created["query_code"] not in detail.content.decode()

    @pytest.mark.parametrize("persona", ["qingpu_clerk", "xitang_judge", "outsider"])
    def test_only_window_clerks_file(self, api_as, request, persona):
        client = api_as(request.getfixturevalue(persona))

        response = client.post(FILINGS, filing_payload(jurisdiction_court="wujiang"), format="json")

        error(response, 403, "permission_denied")
        assert nothing_was_filed()

    def test_a_window_clerk_of_any_court_files_for_another(self, api_as, jiashan_clerk):
        response = api_as(jiashan_clerk).post(FILINGS, filing_payload(), format="json")

        assert response.status_code == 201
        assert response.json()["collaborating_court"] == "jiashan"


class TestFilingCreateRefusesBadInput:
    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            pytest.param(
                filing_payload(**with_party(0, id_number="320509199001011238")),
                "parties.0.id_number",
                id="bad-check-digit",
            ),
            pytest.param(filing_payload(jurisdiction_court="wujiang"), "jurisdiction_court", id="own-court"),
            pytest.param(
                filing_payload(jurisdiction_court="nowhere"), "jurisdiction_court", id="no-such-court"
            ),
            pytest.param(
                filing_payload(parties=filing_payload()["parties"][:1]), "parties", id="no-defendant"
            ),
            pytest.param(filing_payload(claim_amount="-5"), "claim_amount", id="negative-amount"),
            pytest.param(filing_payload(claim_amount="1e20"), "claim_amount", id="amount-1e20"),
            pytest.param(filing_payload(claim_amount=999999999999999), "claim_amount", id="amount-15-digits"),
            pytest.param(filing_payload(materials=["起诉状", ""]), "materials.1", id="empty-checklist-item"),
            pytest.param(filing_payload(materials=[]), "materials", id="no-materials"),
            pytest.param(filing_payload(cause="纠" * 101), "cause", id="cause-101-chars"),
            pytest.param(filing_payload(**with_party(0, name="张" * 101)), "parties.0.name", id="long-name"),
            pytest.param(without("e_service_consent"), "e_service_consent", id="consent-missing"),
        ],
    )
    def test_it_answers_400_naming_the_field_and_files_nothing(self, wujiang_api, payload, field):
        response = wujiang_api.post(FILINGS, payload, format="json")

        body = error(response, 400, "invalid")
        assert field in body["fields"], body["fields"]
        assert nothing_was_filed()

    @pytest.mark.parametrize("parties", ["张三诉某公司", []], ids=["a-string", "an-empty-list"])
    def test_parties_that_are_not_a_list_of_parties_are_a_400_and_nothing_is_filed(
        self, wujiang_api, parties
    ):
        response = wujiang_api.post(FILINGS, filing_payload(parties=parties), format="json")

        body = error(response, 400, "invalid")
        assert [key.split(".")[0] for key in body["fields"]] == ["parties"]
        assert nothing_was_filed()

    @pytest.mark.parametrize("parties", ["张三诉某公司", []], ids=["a-string", "an-empty-list"])
    def test_an_error_about_the_parties_list_as_a_whole_is_named_parties(self, wujiang_api, parties):
        # As the service names "no defendant" (cases.services.parties.clean_parties: "`parties` for the list
        # as a whole"), so a client finds every list-level complaint under one key.
        response = wujiang_api.post(FILINGS, filing_payload(parties=parties), format="json")

        assert set(error(response, 400, "invalid")["fields"]) == {"parties"}

    def test_a_malformed_json_body_is_a_400_parse_error_and_files_nothing(self, wujiang_api):
        response = wujiang_api.post(
            FILINGS, data='{"cause": "买卖合同纠纷",', content_type="application/json"
        )

        # The project's code for an unreadable body is DRF's "parse_error" (tests/test_api_errors.py).
        error(response, 400, "parse_error")
        assert nothing_was_filed()


# --- Transitions: POST /api/filings/{id}/<action>/ ----------------------------------------------------------


class TestRegister:
    def test_the_filing_clerk_registers_and_gets_the_case_number(self, received, qingpu_api):
        response = qingpu_api.post(filing_url(received, "register"), {}, format="json")

        assert response.status_code == 201, response.content
        body = response.json()
        year = dt.datetime.now(SHANGHAI).year
        assert body["case_number"] == f"（{year}）沪0118民初1号"
        case = Case.objects.get(pk=body["id"])
        assert case.origin_filing_id == received.pk
        detail = qingpu_api.get(filing_url(received)).json()
        assert detail["state"] == "registered"
        assert detail["case"] == {"id": case.pk, "case_number": body["case_number"]}
        assert detail["timeline"][-1]["action"] == "filing.register"

    def test_it_registers_to_a_tribunal_of_its_own_court(self, received, qingpu_api):
        response = qingpu_api.post(
            filing_url(received, "register"), {"tribunal": "zhujiajiao"}, format="json"
        )

        assert response.status_code == 201
        assert response.json()["tribunal"] == "zhujiajiao"

    def test_a_tribunal_of_another_court_is_a_400(self, received, qingpu_api):
        response = qingpu_api.post(filing_url(received, "register"), {"tribunal": "fenhu"}, format="json")

        assert "tribunal" in error(response, 400, "invalid")["fields"]
        assert not Case.objects.exists()

    def test_it_refuses_a_second_registration(self, received, qingpu_api):
        assert qingpu_api.post(filing_url(received, "register"), {}, format="json").status_code == 201

        response = qingpu_api.post(filing_url(received, "register"), {}, format="json")

        body = error(response, 409, "invalid_transition")
        assert body["fields"] == {"allowed_transitions": []}
        assert Case.objects.count() == 1

    def test_nothing_is_registered_before_the_filing_arrives(self, submitted, qingpu_api):
        response = qingpu_api.post(filing_url(submitted, "register"), {}, format="json")

        body = error(response, 409, "invalid_transition")
        assert sorted(body["fields"]["allowed_transitions"]) == ["received", "withdrawn"]
        assert not Case.objects.exists()

    @pytest.mark.parametrize("persona", ["wujiang_clerk", "wujiang_filing_clerk"])
    def test_the_collaborating_court_may_not_register(self, received, api_as, request, persona):
        client = api_as(request.getfixturevalue(persona))

        response = client.post(filing_url(received, "register"), {}, format="json")

        error(response, 403, "permission_denied")
        received.refresh_from_db()
        assert received.state == "received"
        assert not Case.objects.exists()


class TestCorrection:
    def test_the_filing_clerk_asks_once_for_every_item_with_a_deadline(self, received, qingpu_api):
        deadline = working_day(10).isoformat()  # a working day: one on a rest day would run to the next

        response = qingpu_api.post(
            filing_url(received, "request-correction"),
            {"items": ["补充被告工商登记信息", "起诉状副本2份"], "deadline": deadline},
            format="json",
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["state"] == "correction_requested"
        assert body["correction_items"] == ["补充被告工商登记信息", "起诉状副本2份"]
        assert body["correction_deadline"] == deadline
        assert body["deadline"].startswith(f"{deadline}T23:59:59")
        assert body["decision_due_at"] is None

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"items": [], "deadline": "2099-01-01"}, "items"),
            ({"items": ["x"]}, "deadline"),
            ({"items": ["x"], "deadline": "01/02/2027"}, "deadline"),
            ({"items": ["x"], "deadline": dt.date(2020, 1, 1).isoformat()}, "deadline"),
        ],
    )
    def test_a_request_without_items_or_a_sensible_deadline_is_a_400(
        self, received, qingpu_api, payload, field
    ):
        response = qingpu_api.post(filing_url(received, "request-correction"), payload, format="json")

        assert field in error(response, 400, "invalid")["fields"]
        received.refresh_from_db()
        assert received.state == "received"

    def test_the_window_resubmits_and_the_seven_days_start_again(self, received, qingpu_api, wujiang_api):
        qingpu_api.post(
            filing_url(received, "request-correction"),
            {"items": ["工商登记信息"], "deadline": in_days(5)},
            format="json",
        )

        response = wujiang_api.post(
            filing_url(received, "resubmit"), {"materials": ["工商登记信息"]}, format="json"
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["state"] == "resubmitted"
        assert body["materials"][-1] == "工商登记信息"
        deliver_pending()
        detail = qingpu_api.get(filing_url(received)).json()
        assert detail["deadline"] is not None
        assert instant(detail["deadline"]) == instant(detail["decision_due_at"])
        assert detail["timeline"][-1]["action"] == "filing.receive_resubmission"

    def test_a_second_correction_request_is_a_409_naming_what_is_allowed(
        self, received, qingpu_api, wujiang_api
    ):
        correction = {"items": ["x"], "deadline": in_days(5)}
        qingpu_api.post(filing_url(received, "request-correction"), correction, format="json")
        wujiang_api.post(filing_url(received, "resubmit"), {"materials": ["x"]}, format="json")

        response = qingpu_api.post(filing_url(received, "request-correction"), correction, format="json")

        body = error(response, 409, "invalid_transition")
        assert sorted(body["fields"]["allowed_transitions"]) == [
            "diverted_to_mediation",
            "refused",
            "registered",
            "withdrawn",
        ]

    def test_resubmitting_needs_the_materials_brought(self, received, qingpu_api, wujiang_api):
        qingpu_api.post(
            filing_url(received, "request-correction"),
            {"items": ["x"], "deadline": in_days(5)},
            format="json",
        )

        response = wujiang_api.post(filing_url(received, "resubmit"), {"materials": []}, format="json")

        assert "materials" in error(response, 400, "invalid")["fields"]

    def test_the_court_with_jurisdiction_may_not_resubmit_for_the_litigant(self, received, qingpu_api):
        qingpu_api.post(
            filing_url(received, "request-correction"),
            {"items": ["x"], "deadline": in_days(5)},
            format="json",
        )

        response = qingpu_api.post(filing_url(received, "resubmit"), {"materials": ["x"]}, format="json")

        error(response, 403, "permission_denied")


class TestDivertRefuseWithdraw:
    def test_the_filing_clerk_diverts_to_pre_filing_mediation(self, received, qingpu_api):
        response = qingpu_api.post(
            filing_url(received, "divert-to-mediation"), {"reason": "双方同意调解"}, format="json"
        )

        assert response.status_code == 200, response.content
        assert response.json()["state"] == "diverted_to_mediation"

    def test_diversion_without_the_litigants_consent_is_a_400(self, wujiang_clerk, qingpu_api, courts):
        filing, _code = submit(wujiang_clerk, courts, pre_mediation_consent=False)
        deliver_pending()

        response = qingpu_api.post(filing_url(filing, "divert-to-mediation"), {}, format="json")

        assert "pre_mediation_consent" in error(response, 400, "invalid")["fields"]

    def test_the_filing_clerk_refuses_with_reasons(self, received, qingpu_api):
        response = qingpu_api.post(
            filing_url(received, "refuse"), {"reason": "不属于本院管辖"}, format="json"
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["state"], body["refusal_reason"]) == ("refused", "不属于本院管辖")

    @pytest.mark.parametrize("payload", [{}, {"reason": "   "}])
    def test_a_refusal_without_reasons_is_a_400(self, received, qingpu_api, payload):
        response = qingpu_api.post(filing_url(received, "refuse"), payload, format="json")

        assert "reason" in error(response, 400, "invalid")["fields"]

    def test_the_litigant_withdraws_at_the_window(self, received, wujiang_api):
        response = wujiang_api.post(filing_url(received, "withdraw"), {"reason": "已和解"}, format="json")

        assert response.status_code == 200, response.content
        assert response.json()["state"] == "withdrawn"

    def test_the_court_with_jurisdiction_may_not_withdraw_for_the_litigant(self, received, qingpu_api):
        response = qingpu_api.post(filing_url(received, "withdraw"), {}, format="json")

        error(response, 403, "permission_denied")

    def test_a_registered_filing_can_no_longer_be_withdrawn(self, registered, received, wujiang_api):
        response = wujiang_api.post(filing_url(received, "withdraw"), {}, format="json")

        assert error(response, 409, "invalid_transition")["fields"] == {"allowed_transitions": []}


# --- Who sees and does what ---------------------------------------------------------------------------------

ACTIONS = [
    ("register", {}),
    ("request-correction", {"items": ["x"], "deadline": "2099-01-01"}),
    ("resubmit", {"materials": ["x"]}),
    ("divert-to-mediation", {}),
    ("refuse", {"reason": "不属于本院管辖"}),
    ("withdraw", {}),
]


class TestFilingVisibility:
    def test_both_courts_see_and_list_the_filing(self, received, wujiang_api, qingpu_api):
        for client in (wujiang_api, qingpu_api):
            assert client.get(filing_url(received)).status_code == 200
            assert ids(client.get(FILINGS)) == {received.pk}

    def test_each_court_is_offered_only_its_own_actions(self, received, wujiang_api, qingpu_api):
        assert qingpu_api.get(filing_url(received)).json()["allowed_actions"] == [
            "register",
            "request_correction",
            "divert_to_mediation",
            "refuse",
        ]
        assert wujiang_api.get(filing_url(received)).json()["allowed_actions"] == ["withdraw"]

    @pytest.mark.parametrize("persona", STRANGERS)
    def test_other_courts_and_outsiders_get_a_404_and_an_empty_list(self, received, api_as, request, persona):
        client = api_as(request.getfixturevalue(persona))

        error(client.get(filing_url(received)), 404, "not_found")
        assert ids(client.get(FILINGS)) == set()
        assert client.get(FILINGS).json()["count"] == 0

    @pytest.mark.parametrize("persona", STRANGERS)
    @pytest.mark.parametrize(("action", "payload"), ACTIONS, ids=[name for name, _ in ACTIONS])
    def test_other_courts_and_outsiders_get_a_404_on_every_action(
        self, received, api_as, request, persona, action, payload
    ):
        client = api_as(request.getfixturevalue(persona))

        error(client.post(filing_url(received, action), payload, format="json"), 404, "not_found")
        received.refresh_from_db()
        assert received.state == "received"

    def test_a_missing_or_malformed_id_is_a_404(self, wujiang_api, received):
        error(wujiang_api.get(filing_url(received.pk + 1000)), 404, "not_found")
        error(wujiang_api.get(f"{FILINGS}abc/"), 404, "not_found")

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("get", ""),
            ("post", ""),
            ("get", "{id}/"),
            *[("post", f"{{id}}/{action}/") for action, _ in ACTIONS],
            ("post", "{id}/attachments/"),
        ],
    )
    def test_without_credentials_it_is_a_401(self, api, received, method, path):
        response = getattr(api, method)(FILINGS + path.format(id=received.pk), {}, format="json")

        error(response, 401, "not_authenticated")
        received.refresh_from_db()
        assert received.state == "received"


class TestCases:
    def test_both_courts_list_and_see_the_registered_case(self, registered, wujiang_api, qingpu_api):
        for client in (wujiang_api, qingpu_api):
            assert ids(client.get(CASES)) == {registered.pk}
            assert client.get(case_url(registered)).status_code == 200

    @pytest.mark.parametrize("persona", STRANGERS)
    def test_other_courts_and_outsiders_get_a_404_and_an_empty_list(
        self, registered, api_as, request, persona
    ):
        client = api_as(request.getfixturevalue(persona))

        error(client.get(case_url(registered)), 404, "not_found")
        assert ids(client.get(CASES)) == set()

    @pytest.mark.parametrize("path", ["", "{id}/"])
    def test_without_credentials_it_is_a_401(self, api, registered, path):
        error(api.get(CASES + path.format(id=registered.pk)), 401, "not_authenticated")

    def test_the_case_shows_its_number_court_parties_and_timeline(self, registered, received, wujiang_api):
        response = wujiang_api.get(case_url(registered))

        body = response.json()
        assert body["case_number"] == registered.number
        assert (body["court"], body["state"], body["case_type"]) == ("qingpu", "registered", "民初")
        assert body["origin_filing"] == {
            "id": received.pk,
            "receipt_number": received.receipt_number,
            "collaborating_court": "wujiang",
        }
        plaintiff, defendant = body["parties"]
        for party in (plaintiff, defendant):
            assert {"id", "role", "kind", "id_number", "phone"} <= set(party)
        assert (plaintiff["role"], plaintiff["kind"]) == ("plaintiff", "person")
        assert (defendant["role"], defendant["kind"]) == ("defendant", "organisation")
        assert plaintiff["id_number"] == "3205**********1239"
        assert plaintiff["phone"] == "138****5678"
        assert [event["action"] for event in body["timeline"]] == ["case.register"]
        for secret in (PLAINTIFF_ID, DEFENDANT_USCC, PLAINTIFF_PHONE, "59700000"):
            assert secret not in response.content.decode()


# --- Lists: query counts, filters, pagination ---------------------------------------------------------------


def file_many(wujiang_clerk, qingpu_clerk, courts, count: int, *, register_every: int) -> None:
    """`count` filings from Wujiang to Qingpu, delivered; every `register_every`-th one registered."""
    for index in range(count):
        filing, _code = submit(wujiang_clerk, courts, cause=f"买卖合同纠纷{index}")
        deliver_pending()
        if index % register_every == 0:
            register(filing, qingpu_clerk)


def queries_for(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


class TestListQueryCounts:
    """5 rows or 50, one page costs the same queries: nothing is fetched per row."""

    @pytest.mark.parametrize(
        ("url", "register_every"),
        [
            (f"{FILINGS}?page_size=50", 2),  # a mix of open and registered filings
            (f"{CASES}?page_size=50", 1),  # every filing becomes a case
        ],
        ids=["filings", "cases"],
    )
    @pytest.mark.parametrize("persona", ["qingpu_clerk", "wujiang_clerk"])
    def test_a_page_of_50_costs_the_same_queries_as_a_page_of_5(
        self, wujiang_clerk, qingpu_clerk, courts, api_as, request, url, register_every, persona
    ):
        client = api_as(request.getfixturevalue(persona))
        file_many(wujiang_clerk, qingpu_clerk, courts, 5, register_every=register_every)
        five, body = queries_for(client, url)
        assert (body["count"], len(body["results"])) == (5, 5)

        file_many(wujiang_clerk, qingpu_clerk, courts, 45, register_every=register_every)
        fifty, body = queries_for(client, url)
        assert (body["count"], len(body["results"])) == (50, 50)

        assert fifty == five


@pytest.fixture
def scene(wujiang_clerk, qingpu_clerk, qingpu_window, courts):
    """Four filings seen from Qingpu and Wujiang:
    incoming: Wujiang -> Qingpu, received, overdue;   outgoing: Qingpu -> Wujiang, received, filed 2026-03-01;
    fresh: Wujiang -> Qingpu, not yet delivered;      elsewhere: Wujiang -> Jiashan, received."""
    incoming, _ = submit(wujiang_clerk, courts)
    outgoing, _ = submit(qingpu_window, courts, jurisdiction_court="wujiang")
    elsewhere, _ = submit(wujiang_clerk, courts, jurisdiction_court="jiashan")
    deliver_pending()
    fresh, _ = submit(wujiang_clerk, courts)
    # Just after midnight in Shanghai (the day before in UTC): the day filters count court days.
    Filing.objects.filter(pk=outgoing.pk).update(submitted_at=dt.datetime(2026, 3, 1, 0, 30, tzinfo=SHANGHAI))
    Filing.objects.filter(pk=incoming.pk).update(decision_due_at=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))
    assert svc.filings_sweep_deadlines()["flagged_overdue"] == 1
    return {"incoming": incoming, "outgoing": outgoing, "fresh": fresh, "elsewhere": elsewhere}


class TestFilingFilters:
    def test_unfiltered_each_court_sees_its_own_filings_overdue_first(self, scene, qingpu_api, wujiang_api):
        qingpu = qingpu_api.get(FILINGS).json()
        assert {row["id"] for row in qingpu["results"]} == {
            scene["incoming"].pk,
            scene["outgoing"].pk,
            scene["fresh"].pk,
        }
        assert qingpu["results"][0]["id"] == scene["incoming"].pk
        assert qingpu["results"][0]["must_register_first"] is True
        assert ids(wujiang_api.get(FILINGS)) == {row.pk for row in scene.values()}

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("state=received", {"incoming", "outgoing"}),
            ("state=submitted", {"fresh"}),
            ("state=received&state=submitted", {"incoming", "outgoing", "fresh"}),
            ("direction=incoming", {"incoming", "fresh"}),
            ("direction=outgoing", {"outgoing"}),
            ("overdue=true", {"incoming"}),
            ("overdue=false", {"outgoing", "fresh"}),
            ("submitted_from=2026-03-01&submitted_to=2026-03-01", {"outgoing"}),
            ("submitted_to=2026-02-28", set()),
            ("court=jiashan", set()),
        ],
    )
    def test_the_filing_clerk_filters_the_list(self, scene, qingpu_api, query, expected):
        assert ids(qingpu_api.get(f"{FILINGS}?{query}")) == {scene[name].pk for name in expected}

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("court=qingpu", {"incoming", "outgoing", "fresh"}),
            ("court=jiashan", {"elsewhere"}),
            ("direction=outgoing", {"incoming", "fresh", "elsewhere"}),
            ("direction=incoming", {"outgoing"}),
        ],
    )
    def test_the_window_clerk_filters_the_list(self, scene, wujiang_api, query, expected):
        assert ids(wujiang_api.get(f"{FILINGS}?{query}")) == {scene[name].pk for name in expected}

    def test_it_finds_a_filing_by_its_receipt_number(self, scene, qingpu_api):
        receipt = scene["outgoing"].receipt_number

        assert ids(qingpu_api.get(FILINGS, {"search": receipt})) == {scene["outgoing"].pk}
        assert ids(qingpu_api.get(FILINGS, {"search": receipt.lower()})) == {scene["outgoing"].pk}
        full_width = receipt.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
        assert ids(qingpu_api.get(FILINGS, {"search": f" {full_width} "})) == {scene["outgoing"].pk}

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("state=nonsense", "state"),
            ("court=nowhere", "court"),
            ("submitted_from=notadate", "submitted_from"),
            ("submitted_to=2026-02-30", "submitted_to"),
            ("direction=sideways", "direction"),
            ("overdue=perhaps", "overdue"),
        ],
    )
    def test_a_bad_filter_value_is_a_400_naming_it(self, scene, qingpu_api, query, field):
        body = error(qingpu_api.get(f"{FILINGS}?{query}"), 400, "invalid")

        assert field in body["fields"]

    def test_the_list_is_paginated(self, scene, qingpu_api):
        first = qingpu_api.get(FILINGS, {"page_size": 2}).json()

        assert set(first) == {"count", "next", "previous", "results"}
        assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
        assert first["next"] is not None
        second = qingpu_api.get(first["next"]).json()
        assert (len(second["results"]), second["next"]) == (1, None)
        assert second["previous"] is not None
        seen = {row["id"] for row in first["results"] + second["results"]}
        assert len(seen) == 3


# --- Attachments --------------------------------------------------------------------------------------------


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/MediaBox[0 0 3 3]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = _png()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type=content_type)}


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


class TestAttachments:
    @pytest.fixture(autouse=True)
    def media_root(self, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        return tmp_path

    @pytest.mark.parametrize(
        ("name", "content", "content_type"),
        [
            ("起诉状.pdf", PDF, "application/pdf"),
            ("scan.png", PNG, "image/png"),
            ("身份证.jpg", JPEG, "image/jpeg"),
        ],
        ids=["pdf", "png", "jpeg"],
    )
    def test_a_scan_is_stored_with_its_checksum_and_both_courts_can_download_it(
        self, received, wujiang_api, qingpu_api, name, content, content_type
    ):
        response = wujiang_api.post(
            filing_url(received, "attachments"), upload(name, content), format="multipart"
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["sha256"] == hashlib.sha256(content).hexdigest()
        assert (body["original_name"], body["content_type"], body["size"]) == (
            name,
            content_type,
            len(content),
        )
        for client in (wujiang_api, qingpu_api):
            download = client.get(body["url"])
            assert download.status_code == 200
            assert download["Content-Type"] == content_type
            # Reading the stream to its end closes the file (the test client's closing wrapper).
            assert download.getvalue() == content
        assert [a["id"] for a in qingpu_api.get(filing_url(received)).json()["attachments"]] == [body["id"]]

    def test_the_court_with_jurisdiction_attaches_too(self, received, qingpu_api):
        response = qingpu_api.post(
            filing_url(received, "attachments"), upload("a.pdf", PDF), format="multipart"
        )

        assert response.status_code == 201

    @pytest.mark.parametrize("persona", STRANGERS)
    def test_other_courts_and_outsiders_can_neither_download_nor_attach(
        self, received, wujiang_api, api_as, request, persona, media_root
    ):
        uploaded = wujiang_api.post(
            filing_url(received, "attachments"), upload("a.pdf", PDF), format="multipart"
        ).json()
        client = api_as(request.getfixturevalue(persona))

        error(client.get(uploaded["url"]), 404, "not_found")
        response = client.post(filing_url(received, "attachments"), upload("b.pdf", PDF), format="multipart")
        error(response, 404, "not_found")
        assert FilingAttachment.objects.count() == 1
        assert len(stored_files(media_root)) == 1

    def test_an_attachment_is_not_reachable_through_another_filings_address(
        self, received, wujiang_clerk, wujiang_api, courts
    ):
        other, _code = submit(wujiang_clerk, courts)
        attachment = wujiang_api.post(
            filing_url(received, "attachments"), upload("a.pdf", PDF), format="multipart"
        ).json()

        error(wujiang_api.get(f"{filing_url(other)}attachments/{attachment['id']}/"), 404, "not_found")

    @pytest.mark.parametrize(
        ("name", "content"),
        [("scan.pdf", "这不是PDF文件，只是文字。".encode()), ("scan.pdf", b"MZ\x90\x00 not a pdf")],
        ids=["text", "executable"],
    )
    def test_a_file_that_is_not_a_scan_is_refused_and_nothing_is_stored(
        self, received, wujiang_api, media_root, name, content
    ):
        response = wujiang_api.post(
            filing_url(received, "attachments"), upload(name, content, "application/pdf"), format="multipart"
        )

        body = error(response, 400, "invalid")
        assert {"file", "non_field_errors"} & set(body["fields"])
        assert not FilingAttachment.objects.exists()
        assert stored_files(media_root) == []

    def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(
        self, received, wujiang_api, media_root, settings
    ):
        settings.UPLOAD_MAX_BYTES = 2048
        content = PDF + b"%" + b"0" * 2048

        response = wujiang_api.post(
            filing_url(received, "attachments"), upload("big.pdf", content), format="multipart"
        )

        body = error(response, 400, "invalid")
        assert {"file", "non_field_errors"} & set(body["fields"])
        assert not FilingAttachment.objects.exists()
        assert stored_files(media_root) == []

    def test_a_post_without_a_file_is_a_400_naming_it(self, received, wujiang_api):
        response = wujiang_api.post(filing_url(received, "attachments"), {}, format="multipart")

        assert "file" in error(response, 400, "invalid")["fields"]


# --- POST /api/parties/{id}/reveal/ -------------------------------------------------------------------------


def reveal_url(party: Party) -> str:
    return f"/api/parties/{party.pk}/reveal/"


class TestPartyReveal:
    def test_the_filing_clerk_sees_the_full_identity_and_the_access_is_logged(
        self, received, qingpu_api, qingpu_clerk
    ):
        plaintiff = received.parties.get(role="plaintiff")

        response = qingpu_api.post(reveal_url(plaintiff))

        assert response.status_code == 200, response.content
        assert response.json() == {"id_number": PLAINTIFF_ID, "phone": PLAINTIFF_PHONE}
        access = PersonalDataAccess.objects.get()
        assert (access.user, access.court.code) == (qingpu_clerk, "qingpu")
        assert (access.subject_type, access.subject_id) == ("cases.party", plaintiff.pk)
        assert access.fields == "id_number,phone"

    def test_the_window_clerk_who_filed_may_reveal_too_and_is_logged_for_wujiang(
        self, received, wujiang_api, wujiang_clerk
    ):
        plaintiff = received.parties.get(role="plaintiff")

        assert wujiang_api.post(reveal_url(plaintiff)).json()["id_number"] == PLAINTIFF_ID
        access = PersonalDataAccess.objects.get()
        assert (access.user, access.court.code, access.subject_id) == (wujiang_clerk, "wujiang", plaintiff.pk)

    def test_a_party_of_a_registered_case_can_still_be_revealed(self, registered, qingpu_api):
        defendant = registered.parties.get(role="defendant")

        response = qingpu_api.post(reveal_url(defendant))

        assert response.json() == {"id_number": DEFENDANT_USCC, "phone": DEFENDANT_PHONE}

    @pytest.mark.parametrize("persona", STRANGERS)
    def test_other_courts_and_outsiders_get_a_404_and_nothing_is_logged(
        self, received, api_as, request, persona
    ):
        client = api_as(request.getfixturevalue(persona))

        error(client.post(reveal_url(received.parties.first())), 404, "not_found")
        assert not PersonalDataAccess.objects.exists()

    def test_a_court_administrator_sees_masked_data_only(self, received, api_as, courts):
        admin = make_staff("qingpu.admin", "qingpu", ["court_admin"])

        error(api_as(admin).post(reveal_url(received.parties.first())), 403, "permission_denied")
        assert not PersonalDataAccess.objects.exists()

    def test_without_credentials_it_is_a_401(self, received, api):
        error(api.post(reveal_url(received.parties.first())), 401, "not_authenticated")
        assert not PersonalDataAccess.objects.exists()


# --- Translated messages ------------------------------------------------------------------------------------


class TestMessagesAreTranslated:
    def test_the_same_bad_filing_answers_in_the_requests_language(self, wujiang_api):
        payload = filing_payload(**with_party(0, id_number="320509199001011238"))

        english = wujiang_api.post(FILINGS, payload, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
        chinese = wujiang_api.post(FILINGS, payload, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()

        assert english["code"] == chinese["code"] == "invalid"
        assert english["message"] != chinese["message"]
        assert english["message"].startswith("Invalid input")
        assert chinese["message"].startswith("输入有误")

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            (filing_payload(**with_party(0, id_number="320509199001011238")), "parties.0.id_number"),
            (filing_payload(jurisdiction_court="wujiang"), "jurisdiction_court"),
            (filing_payload(parties=filing_payload()["parties"][:1]), "parties"),
        ],
        ids=["check-digit", "own-court", "no-defendant"],
    )
    def test_the_filing_rules_own_messages_are_translated(self, wujiang_api, payload, field):
        english = wujiang_api.post(FILINGS, payload, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
        chinese = wujiang_api.post(FILINGS, payload, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()

        assert english["fields"][field] != chinese["fields"][field]

    def test_refusals_of_an_action_are_translated(self, received, wujiang_api, qingpu_api):
        def message(client, language):
            return client.post(filing_url(received, "register"), {}, HTTP_ACCEPT_LANGUAGE=language).json()

        forbidden = {language: message(wujiang_api, language) for language in ("en", "zh-hans")}
        qingpu_api.post(filing_url(received, "register"), {})
        conflict = {language: message(qingpu_api, language) for language in ("en", "zh-hans")}

        assert forbidden["en"]["code"] == forbidden["zh-hans"]["code"] == "permission_denied"
        assert forbidden["en"]["message"] != forbidden["zh-hans"]["message"]
        assert conflict["en"]["code"] == conflict["zh-hans"]["code"] == "invalid_transition"
        assert conflict["en"]["message"] != conflict["zh-hans"]["message"]
