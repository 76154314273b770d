"""The service- and preservation-request API end to end through the DRF test client: a Qingpu clerk asks
Jiashan for help on a Qingpu case, Jiashan's officer accepts and reports, Qingpu acknowledges. Refused input
(400 naming the field, nothing stored), refused transitions (409), who sees and who acts (404 / 403), files,
lists with their filters and query counts, and times in court time.

The services themselves are tested in test_request_services.py; here everything goes over HTTP, and the
services are only called to set the scene (deliveries, many requests at once).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import (
    PreservationMeasure,
    PreservationRequest,
    RequestAttachment,
    ServiceAttempt,
    ServiceDocument,
    ServiceRequest,
)
from cases.services import requests as common
from cases.services.preservation_requests import MeasureInput, preservation_request_create
from cases.services.request_clocks import requests_sweep_clocks
from cases.services.service_requests import DocumentInput, service_request_create
from courts.models import Delivery, Event
from tests.cases.conftest import PLAINTIFF_ID, deliver_pending, make_case
from tests.cases.test_filing_api import JPEG, PDF, PNG
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message", "fields"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFENDANT_ID = "330421197203045615"  # make_case's defendant
PHONES = ("13812345678", "13912345678")


@dataclass(frozen=True)
class Kind:
    name: str
    url: str
    model: type
    party: str  # the field naming the party: recipient or respondent

    def at(self, request_id: int, action: str = "") -> str:
        return f"{self.url}{request_id}/{action}/" if action else f"{self.url}{request_id}/"


SERVICE = Kind("service_request", "/api/service-requests/", ServiceRequest, "recipient")
PRESERVATION = Kind("preservation_request", "/api/preservation-requests/", PreservationRequest, "respondent")
KINDS = [pytest.param(SERVICE, id="service"), pytest.param(PRESERVATION, id="preservation")]
# The scene fixtures below run for both kinds; these narrow a test to one.
only_service = pytest.mark.parametrize("kind", [SERVICE], ids=["service"])
only_preservation = pytest.mark.parametrize("kind", [PRESERVATION], ids=["preservation"])


def error(response, status: int, code: str) -> dict:
    """The body of an error response, checked for its status, the one error shape and its code."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == SHAPE
    assert body["code"] == code
    return body


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def ids(response) -> set[int]:
    return {row["id"] for row in ok(response)["results"]}


def ago(**delta) -> dt.datetime:
    return dt.datetime.now(SHANGHAI) - dt.timedelta(**delta)


def defendant(case):
    return case.parties.get(role="defendant")


def service_payload(on_case, **overrides) -> dict:
    payload = {
        "case": on_case.pk,
        "entrusted_court": "jiashan",
        "recipient": defendant(on_case).pk,
        "address": "浙江省嘉善县西塘镇塘东街1号",
        "documents": [
            {"name": "起诉状副本", "copies": 1},
            {"name": "应诉通知书", "copies": 2, "reference": "（2026）沪0118民初1号"},
        ],
        "method": "direct",
        "letter_number": "（2026）沪0118委送1号",
    }
    payload.update(overrides)
    return payload


def measures(**first) -> list[dict]:
    return [
        {
            "type": "freeze",
            "property_type": "bank_deposit",
            "bank": "中国农业银行嘉善支行",
            "account": "6228480000000000",
            "amount": "300000.00",
            **first,
        },
        {
            "type": "seal",
            "property_type": "real_estate",
            "registry": "嘉善县不动产登记中心",
            "account": "浙(2020)嘉善县不动产权第1号",
            "amount": "200000.00",
        },
    ]


def preservation_payload(on_case, **overrides) -> dict:
    payload = {
        "case": on_case.pk,
        "entrusted_court": "jiashan",
        "respondent": defendant(on_case).pk,
        "urgent": True,
        "stage": "in_suit",
        "allowed_amount": "300000.00",
        "ruling_number": "（2026）沪0118民初1号之一",
        "ruling_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "measures": measures(),
    }
    payload.update(overrides)
    return payload


def payload(kind: Kind, on_case, **overrides) -> dict:
    return (service_payload if kind is SERVICE else preservation_payload)(on_case, **overrides)


def attempt_payload(**overrides) -> dict:
    values = {
        "method": "direct",
        "result": "served",
        "served_at": ago(hours=1).isoformat(),
        "place": "西塘镇塘东街1号",
        "signer": "赵六",
        "relation": "本人",
        "witness": "",
        "remarks": "",
        "officers": "钱七、孙八",
    }
    values.update(overrides)
    return values


def nothing_sent() -> bool:
    return not (
        ServiceRequest.objects.exists()
        or PreservationRequest.objects.exists()
        or ServiceDocument.objects.exists()
        or PreservationMeasure.objects.exists()
        or Delivery.objects.exists()
        or Event.objects.filter(action__contains="_request.").exists()
    )


def state_of(kind: Kind, request_id: int) -> str:
    return kind.model.objects.get(pk=request_id).state


def timeline_actions(body: dict) -> list[str]:
    return [event["action"] for event in body["timeline"]]


# --- personas and scenes ------------------------------------------------------------------------------------


@pytest.fixture
def wujiang_officer(courts):
    return make_staff("wujiang.off", "wujiang", ["officer"])


@pytest.fixture
def qingpu_api(api_as, qingpu_clerk):
    """The Qingpu filing clerk: the requesting court's clerk."""
    return api_as(qingpu_clerk)


@pytest.fixture
def officer_api(api_as, jiashan_officer):
    """The Jiashan officer: the entrusted court's officer."""
    return api_as(jiashan_officer)


@pytest.fixture(params=KINDS)
def kind(request) -> Kind:
    return request.param


@pytest.fixture
def sent(kind, qingpu_api, qingpu_case, jiashan_officer) -> int:
    """A request of `kind` from Qingpu to Jiashan on a Qingpu case, sent over the API, not yet delivered."""
    return ok(qingpu_api.post(kind.url, payload(kind, qingpu_case), format="json"), 201)["id"]


@pytest.fixture
def received(kind, sent) -> int:
    """Delivered to Jiashan two days ago, so an attempt an hour ago is after receipt."""
    assert deliver_pending() == 1
    kind.model.objects.filter(pk=sent).update(received_at=ago(days=2))
    return sent


@pytest.fixture
def accepted(kind, received, officer_api) -> int:
    ok(officer_api.post(kind.at(received, "accept")))
    return received


def report_payload(kind: Kind, request_id: int) -> dict:
    """A report that completes the request: served, or every measure done within the allowed amount."""
    if kind is SERVICE:
        return attempt_payload()
    first, second = PreservationRequest.objects.get(pk=request_id).measures.all()
    return {
        "measures": [
            {
                "measure": first.pk,
                "result": "done",
                "amount_done": "100000.00",
                "receipt": "农行协执字第88号",
            },
            {"measure": second.pk, "result": "done", "amount_done": "200000.00", "receipt": "查封登记第12号"},
        ]
    }


def report_action(kind: Kind) -> str:
    return "report-attempt" if kind is SERVICE else "report"


@pytest.fixture
def reported(kind, accepted, officer_api) -> int:
    ok(
        officer_api.post(
            kind.at(accepted, report_action(kind)), report_payload(kind, accepted), format="json"
        )
    )
    return accepted


# --- The whole story, for each kind -------------------------------------------------------------------------


class TestServiceRequestEndToEnd:
    def test_qingpu_asks_jiashan_serves_and_qingpu_acknowledges(self, qingpu_api, officer_api, qingpu_case):
        created = ok(qingpu_api.post(SERVICE.url, service_payload(qingpu_case), format="json"), 201)

        request_id = created["id"]
        assert created["reference"].startswith("WS310118-")
        assert (created["state"], created["requesting_court"], created["entrusted_court"]) == (
            "sent",
            "qingpu",
            "jiashan",
        )
        assert created["case"] == {"id": qingpu_case.pk, "case_number": qingpu_case.number}
        assert created["recipient"] == {"id": defendant(qingpu_case).pk, "name": "赵六", "role": "defendant"}
        assert (created["address"], created["method"]) == ("浙江省嘉善县西塘镇塘东街1号", "direct")
        assert created["letter_number"] == "（2026）沪0118委送1号"
        assert [(d["name"], d["copies"], d["reference"]) for d in created["documents"]] == [
            ("起诉状副本", 1, ""),
            ("应诉通知书", 2, "（2026）沪0118民初1号"),
        ]
        assert created["due_at"] is None and created["received_at"] is None
        assert created["allowed_actions"] == ["cancel"]
        assert timeline_actions(created) == ["service_request.send"]

        assert deliver_pending() == 1
        arrived = ok(officer_api.get(SERVICE.at(request_id)))
        assert arrived["state"] == "received"
        assert arrived["due_at"].endswith("T23:59:59+08:00")  # Interp 134: 10 days, to the end of the day
        assert arrived["allowed_actions"] == ["accept", "return"]
        ServiceRequest.objects.filter(pk=request_id).update(received_at=ago(days=2))

        accepted = ok(officer_api.post(SERVICE.at(request_id, "accept")))
        assert (accepted["state"], accepted["officer"]) == ("accepted", "jiashan.off")
        assert accepted["accepted_at"].endswith("+08:00")
        assert accepted["allowed_actions"] == ["report_attempt", "report", "return"]

        failed = ok(
            officer_api.post(
                SERVICE.at(request_id, "report-attempt"),
                attempt_payload(
                    result="failed", reason="not_found", signer="", served_at=ago(days=1).isoformat()
                ),
                format="json",
            )
        )
        assert failed["state"] == "accepted"  # a failed attempt goes back at once; the request stays open
        served_at = ago(hours=1).replace(microsecond=0)
        served = ok(
            officer_api.post(
                SERVICE.at(request_id, "report-attempt"),
                attempt_payload(served_at=served_at.isoformat(), refusal_reason="", witness="李四"),
                format="json",
            )
        )
        assert served["state"] == "served"
        assert served["served_on"] == served_at.date().isoformat()
        first, second = served["attempts"]
        assert (first["result"], first["reason"], first["served_on"]) == ("failed", "not_found", None)
        assert second == {
            "id": second["id"],
            "method": "direct",
            "result": "served",
            "served_at": served_at.isoformat(),
            "place": "西塘镇塘东街1号",
            "signer": "赵六",
            "relation": "本人",
            "reason": "",
            "refusal_reason": "",
            "witness": "李四",
            "officers": "钱七、孙八",
            "remarks": "",
            "served_on": served_at.date().isoformat(),
            "recorded_at": second["recorded_at"],
        }
        assert served["allowed_actions"] == []
        assert ok(qingpu_api.get(SERVICE.at(request_id)))["allowed_actions"] == ["acknowledge"]

        closed = ok(qingpu_api.post(SERVICE.at(request_id, "acknowledge")))
        assert closed["state"] == "closed" and closed["closed_at"] is not None
        assert timeline_actions(closed) == [
            "service_request.send",
            "service_request.receive",
            "service_request.accept",
            "service_request.attempt_failed",
            "service_request.serve",
            "service_request.acknowledge",
        ]
        assert set(closed["timeline"][-1]) == {
            "at",
            "action",
            "from_state",
            "to_state",
            "actor",
            "actor_court",
            "reason",
            "payload",
        }
        assert (closed["timeline"][-1]["actor"], closed["timeline"][-1]["actor_court"]) == (
            "qingpu.filing",
            "qingpu",
        )

    @only_service
    def test_service_that_cannot_be_done_is_reported_with_its_reason(
        self, kind, accepted, officer_api, qingpu_api
    ):
        response = officer_api.post(
            SERVICE.at(accepted, "report"), {"reason": "moved", "remarks": "邻居称已搬离半年"}, format="json"
        )

        body = ok(response)
        assert (body["state"], body["failure_reason"], body["reason"]) == (
            "failed",
            "moved",
            "邻居称已搬离半年",
        )
        assert body["reported_at"] is not None
        assert ok(qingpu_api.post(SERVICE.at(accepted, "acknowledge")))["state"] == "closed"

    @only_service
    def test_the_serving_officers_default_to_the_one_reporting(self, kind, accepted, officer_api):
        body = ok(
            officer_api.post(
                SERVICE.at(accepted, "report-attempt"), attempt_payload(officers=""), format="json"
            )
        )

        assert body["attempts"][0]["officers"] == "jiashan.off"

    @only_service
    def test_a_time_without_an_offset_is_court_time(self, kind, accepted, officer_api):
        served_at = ago(hours=1).replace(microsecond=0)

        body = ok(
            officer_api.post(
                SERVICE.at(accepted, "report-attempt"),
                attempt_payload(served_at=served_at.replace(tzinfo=None).isoformat()),
                format="json",
            )
        )

        assert body["attempts"][0]["served_at"] == served_at.isoformat()
        assert ServiceAttempt.objects.get().attempted_at == served_at

    @only_service
    @pytest.mark.parametrize("body", [{}, {"reason": "fell ill"}, {"reason": ""}])
    def test_the_final_failure_needs_one_of_the_reasons(self, kind, accepted, officer_api, body):
        response = officer_api.post(SERVICE.at(accepted, "report"), body, format="json")

        assert "reason" in error(response, 400, "invalid")["fields"]
        assert state_of(SERVICE, accepted) == "accepted"


class TestPreservationRequestEndToEnd:
    def test_account_numbers_are_in_full_for_whom_needs_them_logged_and_masked_for_the_rest(
        self, api_as, qingpu_api, officer_api, qingpu_case
    ):
        from courts.models import PersonalDataAccess

        full = ["6228480000000000", "浙(2020)嘉善县不动产权第1号"]
        created = ok(qingpu_api.post(PRESERVATION.url, preservation_payload(qingpu_case), format="json"), 201)
        assert [m["account"] for m in created["measures"]] == full  # the requesting clerk asked for them
        deliver_pending()
        assert [m["account"] for m in ok(officer_api.get(PRESERVATION.at(created["id"])))["measures"]] == full
        assert PersonalDataAccess.objects.filter(fields="account", subject_id=created["id"]).count() == 2

        window = api_as(make_staff("jiashan.window", "jiashan", ["window_clerk"]))
        shown = ok(window.get(PRESERVATION.at(created["id"])))["measures"]
        assert [m["account"] for m in shown] == ["6228********0000", "浙(20*********权第1号"]
        assert PersonalDataAccess.objects.filter(fields="account").count() == 2  # no line for a masked view

    def test_qingpu_asks_jiashan_preserves_part_and_qingpu_acknowledges(
        self, qingpu_api, officer_api, qingpu_case
    ):
        created = ok(qingpu_api.post(PRESERVATION.url, preservation_payload(qingpu_case), format="json"), 201)

        request_id = created["id"]
        assert created["reference"].startswith("BQ310118-")
        assert created["respondent"] == {"id": defendant(qingpu_case).pk, "name": "赵六", "role": "defendant"}
        assert (created["urgent"], created["stage"], created["allowed_amount"]) == (
            True,
            "in_suit",
            "300000.00",
        )
        assert created["ruling_number"] == "（2026）沪0118民初1号之一"
        # `bank` and `registry` are the same field.
        assert [(m["type"], m["registry"], m["amount"], m["result"]) for m in created["measures"]] == [
            ("freeze", "中国农业银行嘉善支行", "300000.00", "pending"),
            ("seal", "嘉善县不动产登记中心", "200000.00", "pending"),
        ]

        deliver_pending()
        arrived = ok(officer_api.get(PRESERVATION.at(request_id)))
        received_at = dt.datetime.fromisoformat(arrived["received_at"])
        due_at = dt.datetime.fromisoformat(arrived["due_at"])
        assert arrived["due_at"].endswith("+08:00")
        assert dt.timedelta(hours=48) <= due_at - received_at <= dt.timedelta(hours=49)  # CPL 103/104

        ok(officer_api.post(PRESERVATION.at(request_id, "accept")))
        freeze, seal = created["measures"]
        ends = (timezone.localdate() + dt.timedelta(days=300)).isoformat()
        response = officer_api.post(
            PRESERVATION.at(request_id, "report"),
            {
                "measures": [
                    {
                        "measure": freeze["id"],
                        "result": "done",
                        "amount_done": "120000.50",
                        "term_ends_on": ends,
                        "receipt": "农行协执字第88号",
                    },
                    {"measure": seal["id"], "result": "failed", "failure_reason": "已被他案查封"},
                ]
            },
            format="json",
        )

        body = ok(response)
        assert body["state"] == "partly_carried_out" and body["carried_out_at"] is not None
        done, failed = body["measures"]
        assert (done["result"], done["amount_done"], done["term_ends_on"], done["receipt"]) == (
            "done",
            "120000.50",
            ends,
            "农行协执字第88号",
        )
        assert (failed["result"], failed["failure_reason"], failed["amount_done"]) == (
            "failed",
            "已被他案查封",
            None,
        )
        closed = ok(qingpu_api.post(PRESERVATION.at(request_id, "acknowledge")))
        assert closed["state"] == "closed"
        assert timeline_actions(closed) == [
            "preservation_request.send",
            "preservation_request.receive",
            "preservation_request.accept",
            "preservation_request.report",
            "preservation_request.acknowledge",
        ]

    @only_preservation
    def test_every_measure_done_is_carried_out_with_the_legal_terms(self, kind, reported, qingpu_api):
        body = ok(qingpu_api.get(PRESERVATION.at(reported)))

        assert body["state"] == "carried_out"
        deposit, real_estate = body["measures"]
        today = timezone.localdate()
        assert dt.date.fromisoformat(deposit["term_ends_on"]).year == today.year + 1  # Interp 485
        assert dt.date.fromisoformat(real_estate["term_ends_on"]).year == today.year + 3

    @only_preservation
    def test_the_officer_is_offered_only_the_actions_a_preservation_has(self, kind, accepted, officer_api):
        assert ok(officer_api.get(PRESERVATION.at(accepted)))["allowed_actions"] == ["report", "return"]


class TestReturnAndCancel:
    def test_the_entrusted_court_returns_it_with_a_reason(self, kind, received, officer_api, qingpu_api):
        body = ok(officer_api.post(kind.at(received, "return"), {"reason": "不属于本院辖区"}, format="json"))

        assert (body["state"], body["reason"]) == ("returned", "不属于本院辖区")
        assert timeline_actions(body)[-1] == f"{kind.name}.return"
        assert ok(qingpu_api.get(kind.at(received)))["allowed_actions"] == []

    @pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": "x" * 2001}])
    def test_a_return_without_a_reason_is_a_400(self, kind, received, officer_api, body):
        response = officer_api.post(kind.at(received, "return"), body, format="json")

        assert "reason" in error(response, 400, "invalid")["fields"]
        assert state_of(kind, received) == "received"

    def test_the_requesting_court_cancels_before_it_arrives(self, kind, sent, qingpu_api):
        body = ok(qingpu_api.post(kind.at(sent, "cancel"), {"reason": "已自行送达"}, format="json"))

        assert (body["state"], body["reason"]) == ("cancelled", "已自行送达")
        deliver_pending()
        assert state_of(kind, sent) == "cancelled"

    def test_the_requesting_court_cancels_an_accepted_request_without_a_reason(
        self, kind, accepted, qingpu_api
    ):
        assert ok(qingpu_api.post(kind.at(accepted, "cancel"), {}, format="json"))["state"] == "cancelled"


# --- Refused input: 400 naming the field, nothing stored ----------------------------------------------------


def other_case_party():
    return defendant(make_case("qingpu")).pk


class TestCreateRefusesBadInput:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            pytest.param({"recipient": "other-case"}, "recipient", id="party-of-another-case"),
            pytest.param({"recipient": 999999}, "recipient", id="no-such-party"),
            pytest.param({"recipient": "张三"}, "recipient", id="party-not-an-id"),
            pytest.param({"entrusted_court": "qingpu"}, "entrusted_court", id="own-court"),
            pytest.param({"entrusted_court": "nowhere"}, "entrusted_court", id="no-such-court"),
            pytest.param({"case": 999999}, "case", id="no-such-case"),
            pytest.param({"case": "wujiang-case"}, "case", id="case-of-another-court"),
            pytest.param({"address": " "}, "address", id="no-address"),
            pytest.param({"address": "地" * 201}, "address", id="address-201-chars"),
            pytest.param({"documents": []}, "documents", id="no-documents"),
            pytest.param({"documents": "起诉状"}, "documents", id="documents-not-a-list"),
            pytest.param({"documents": [{"name": "起诉状"}, {"name": ""}]}, "documents.1.name", id="unnamed"),
            pytest.param(
                {"documents": [{"name": "起诉状", "copies": 0}]}, "documents.0.copies", id="0-copies"
            ),
            pytest.param({"documents": [{"name": "x"}] * 31}, "documents", id="31-documents"),
            pytest.param({"method": "fax"}, "method", id="unknown-method"),
            pytest.param({"letter_number": "号" * 61}, "letter_number", id="long-letter-number"),
        ],
    )
    def test_a_bad_service_request_is_a_400_naming_the_field_and_nothing_is_sent(
        self, qingpu_api, qingpu_case, courts, overrides, field
    ):
        if overrides.get("recipient") == "other-case":
            overrides["recipient"] = other_case_party()
        if overrides.get("case") == "wujiang-case":
            overrides["case"] = make_case("wujiang").pk

        response = qingpu_api.post(SERVICE.url, service_payload(qingpu_case, **overrides), format="json")

        body = error(response, 400, "invalid")
        assert field in body["fields"], body["fields"]
        assert nothing_sent()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            pytest.param({"respondent": "other-case"}, "respondent", id="party-of-another-case"),
            pytest.param({"entrusted_court": "qingpu"}, "entrusted_court", id="own-court"),
            pytest.param({"entrusted_court": ""}, "entrusted_court", id="no-court"),
            pytest.param({"case": "wujiang-case"}, "case", id="case-of-another-court"),
            pytest.param(
                {"measures": measures(amount="300000.01")}, "measures.0.amount", id="freeze-above-allowed"
            ),
            pytest.param({"measures": measures(amount="0")}, "measures.0.amount", id="zero-amount"),
            pytest.param({"measures": measures(bank="")}, "measures.0.registry", id="no-bank-or-registry"),
            pytest.param(
                {"measures": measures(registry="工商银行")},
                "measures.0.registry",
                id="bank-and-registry-differ",
            ),
            pytest.param({"measures": measures(type="demolish")}, "measures.0.type", id="unknown-measure"),
            pytest.param(
                {"measures": measures(property_type="cattle")}, "measures.0.property_type", id="property"
            ),
            pytest.param({"measures": []}, "measures", id="no-measures"),
            pytest.param({"stage": "after_judgment"}, "stage", id="unknown-stage"),
            pytest.param({"allowed_amount": "0"}, "allowed_amount", id="nothing-allowed"),
            pytest.param({"allowed_amount": "1e20"}, "allowed_amount", id="amount-1e20"),
            pytest.param({"ruling_number": ""}, "ruling_number", id="no-ruling"),
            pytest.param({"ruling_date": "2099-01-01"}, "ruling_date", id="ruling-in-the-future"),
            pytest.param({"ruling_date": "01/02/2026"}, "ruling_date", id="ruling-date-not-iso"),
        ],
    )
    def test_a_bad_preservation_request_is_a_400_naming_the_field_and_nothing_is_sent(
        self, qingpu_api, qingpu_case, courts, overrides, field
    ):
        if overrides.get("respondent") == "other-case":
            overrides["respondent"] = other_case_party()
        if overrides.get("case") == "wujiang-case":
            overrides["case"] = make_case("wujiang").pk

        response = qingpu_api.post(
            PRESERVATION.url, preservation_payload(qingpu_case, **overrides), format="json"
        )

        body = error(response, 400, "invalid")
        assert field in body["fields"], body["fields"]
        assert nothing_sent()

    def test_a_case_of_another_court_reads_exactly_like_a_case_that_does_not_exist(self, qingpu_api, courts):
        qingpu = make_case("qingpu")
        wujiang = make_case("wujiang")
        missing = wujiang.pk + 1000

        def message(case_id: int) -> str:
            response = qingpu_api.post(SERVICE.url, service_payload(qingpu, case=case_id), format="json")
            return error(response, 400, "invalid")["fields"]["case"][0].replace(str(case_id), "N")

        assert message(wujiang.pk) == message(missing)
        assert nothing_sent()

    def test_the_entrusted_court_cannot_send_a_request_on_a_case_it_only_helps_with(
        self, kind, received, api_as, jiashan_clerk, qingpu_case
    ):
        response = api_as(jiashan_clerk).post(
            kind.url, payload(kind, qingpu_case, entrusted_court="wujiang"), format="json"
        )

        assert "case" in error(response, 400, "invalid")["fields"]
        assert kind.model.objects.count() == 1

    @pytest.mark.parametrize("field", ["case", "party"])
    def test_an_id_beyond_any_integer_column_is_a_400_not_a_500(self, kind, qingpu_api, qingpu_case, field):
        name = kind.party if field == "party" else field

        response = qingpu_api.post(kind.url, payload(kind, qingpu_case, **{name: 10**20}), format="json")

        assert name in error(response, 400, "invalid")["fields"]
        assert nothing_sent()

    def test_a_malformed_body_is_a_400_parse_error(self, kind, qingpu_api):
        response = qingpu_api.post(kind.url, data='{"case": 1,', content_type="application/json")

        error(response, 400, "parse_error")
        assert nothing_sent()


class TestReportsRefuseBadInput:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            pytest.param(
                {"served_at": (timezone.now() + dt.timedelta(days=1)).isoformat()}, "served_at", id="future"
            ),
            pytest.param({"served_at": ago(days=3).isoformat()}, "served_at", id="before-receipt"),
            pytest.param({"served_at": "yesterday"}, "served_at", id="not-a-time"),
            pytest.param(
                {"result": "failed", "reason": "", "signer": ""}, "reason", id="failed-without-reason"
            ),
            pytest.param({"result": "failed", "reason": "fell_ill"}, "reason", id="unknown-reason"),
            pytest.param({"result": "maybe"}, "result", id="unknown-result"),
            pytest.param({"signer": ""}, "signer", id="direct-without-signer"),
            pytest.param({"method": "proxy", "relation": ""}, "relation", id="proxy-without-relation"),
            pytest.param(
                {"method": "left", "signer": "", "witness": ""}, "witness", id="left-without-witness"
            ),
            pytest.param({"place": ""}, "place", id="no-place"),
            pytest.param({"method": "pigeon"}, "method", id="unknown-method"),
        ],
    )
    @only_service
    def test_a_bad_attempt_is_a_400_naming_the_field_and_nothing_is_stored(
        self, kind, accepted, officer_api, overrides, field
    ):
        response = officer_api.post(
            SERVICE.at(accepted, "report-attempt"), attempt_payload(**overrides), format="json"
        )

        assert field in error(response, 400, "invalid")["fields"]
        assert not ServiceAttempt.objects.exists()
        assert state_of(SERVICE, accepted) == "accepted"

    def test_a_report_on_a_request_not_yet_accepted_is_a_400(self, kind, received, officer_api):
        response = officer_api.post(
            kind.at(received, report_action(kind)), report_payload(kind, received), format="json"
        )

        assert "state" in error(response, 400, "invalid")["fields"]
        assert state_of(kind, received) == "received"
        assert not ServiceAttempt.objects.exists()
        assert set(PreservationMeasure.objects.values_list("result", flat=True)) <= {"pending"}

    @only_service
    def test_the_final_failure_of_a_request_not_yet_accepted_is_a_400(self, kind, received, officer_api):
        response = officer_api.post(SERVICE.at(received, "report"), {"reason": "moved"}, format="json")

        assert "state" in error(response, 400, "invalid")["fields"]

    @pytest.mark.parametrize(
        ("results", "field"),
        [
            pytest.param(
                lambda f, s: [
                    {"measure": f, "result": "done", "amount_done": "300000.00", "receipt": "r1"},
                    {"measure": s, "result": "done", "amount_done": "100000.00", "receipt": "r2"},
                ],
                "measures",
                id="total-above-allowed",
            ),
            pytest.param(
                lambda f, s: [{"measure": f, "result": "done", "amount_done": "1", "receipt": "r1"}],
                "measures",
                id="a-measure-left-out",
            ),
            pytest.param(
                lambda f, s: [
                    {"measure": f, "result": "failed", "failure_reason": "x"},
                    {"measure": s + 1000, "result": "failed", "failure_reason": "x"},
                ],
                "measures.1.measure",
                id="not-a-measure-of-this-request",
            ),
            pytest.param(
                lambda f, s: [
                    {"measure": f, "result": "done", "amount_done": "300000.01", "receipt": "r1"},
                    {"measure": s, "result": "failed", "failure_reason": "x"},
                ],
                "measures.0.amount_done",
                id="more-than-the-measure-asked",
            ),
            pytest.param(
                lambda f, s: [
                    {"measure": f, "result": "done", "amount_done": "10", "receipt": ""},
                    {"measure": s, "result": "failed", "failure_reason": "x"},
                ],
                "measures.0.receipt",
                id="no-receipt",
            ),
            pytest.param(
                lambda f, s: [
                    {"measure": f, "result": "failed", "failure_reason": "x"},
                    {"measure": s, "result": "pending"},
                ],
                "measures.1.result",
                id="pending-is-not-a-result",
            ),
            pytest.param(
                lambda f, s: [
                    {
                        "measure": f,
                        "result": "done",
                        "amount_done": "10",
                        "receipt": "r",
                        "term_ends_on": "2099-01-01",
                    },
                    {"measure": s, "result": "failed", "failure_reason": "x"},
                ],
                "measures.0.term_ends_on",
                id="term-beyond-the-legal-one",
            ),
        ],
    )
    @only_preservation
    def test_a_bad_preservation_report_is_refused_whole(self, kind, accepted, officer_api, results, field):
        first, second = PreservationRequest.objects.get(pk=accepted).measures.values_list("pk", flat=True)

        response = officer_api.post(
            PRESERVATION.at(accepted, "report"), {"measures": results(first, second)}, format="json"
        )

        assert field in error(response, 400, "invalid")["fields"]
        assert state_of(PRESERVATION, accepted) == "accepted"
        assert set(PreservationMeasure.objects.values_list("result", flat=True)) == {"pending"}


# --- Refused transitions: 409 naming what is allowed --------------------------------------------------------


class TestTransitionsRefused:
    def test_a_request_cannot_be_cancelled_once_its_result_is_in(self, kind, reported, qingpu_api):
        response = qingpu_api.post(kind.at(reported, "cancel"), {}, format="json")

        assert error(response, 409, "invalid_transition")["fields"] == {"allowed_transitions": ["closed"]}
        assert state_of(kind, reported) != "cancelled"

    def test_it_is_acknowledged_once(self, kind, reported, qingpu_api):
        ok(qingpu_api.post(kind.at(reported, "acknowledge")))

        response = qingpu_api.post(kind.at(reported, "acknowledge"))

        assert error(response, 409, "invalid_transition")["fields"] == {"allowed_transitions": []}

    def test_nothing_is_acknowledged_before_the_result(self, kind, accepted, qingpu_api):
        error(qingpu_api.post(kind.at(accepted, "acknowledge")), 409, "invalid_transition")
        assert state_of(kind, accepted) == "accepted"

    def test_it_is_accepted_once(self, kind, accepted, officer_api):
        error(officer_api.post(kind.at(accepted, "accept")), 409, "invalid_transition")

    def test_nothing_is_accepted_or_returned_before_it_arrives(self, kind, sent, officer_api):
        body = error(officer_api.post(kind.at(sent, "accept")), 409, "invalid_transition")
        assert sorted(body["fields"]["allowed_transitions"]) == ["cancelled", "received"]
        error(
            officer_api.post(kind.at(sent, "return"), {"reason": "x"}, format="json"),
            409,
            "invalid_transition",
        )
        assert state_of(kind, sent) == "sent"

    def test_a_cancelled_request_stays_cancelled(self, kind, received, qingpu_api, officer_api):
        ok(qingpu_api.post(kind.at(received, "cancel"), {}, format="json"))

        error(officer_api.post(kind.at(received, "accept")), 409, "invalid_transition")
        error(qingpu_api.post(kind.at(received, "cancel"), {}, format="json"), 409, "invalid_transition")


# --- Who sees and who acts ----------------------------------------------------------------------------------

# Who can see a Qingpu -> Jiashan request: both courts' staff, whatever their role.
SEE = ["qingpu_clerk", "qingpu_officer", "jiashan_officer", "jiashan_clerk", "xitang_judge"]
# Who must not learn it exists: the third court (any role) and an account of no court.
STRANGERS = ["wujiang_clerk", "wujiang_officer", "outsider"]
# action: who may take it on a received request; everyone else who sees it gets a 403.
MAY = {
    "accept": "jiashan_officer",
    "return": "jiashan_officer",
    "cancel": "qingpu_clerk",
}
BODIES = {"accept": {}, "return": {"reason": "不属于本院辖区"}, "cancel": {}, "acknowledge": {}}
AFTER = {"accept": "accepted", "return": "returned", "cancel": "cancelled"}


class TestWhoSeesWhat:
    @pytest.mark.parametrize("persona", SEE)
    def test_both_courts_see_and_list_it(self, kind, received, api_as, request, persona):
        client = api_as(request.getfixturevalue(persona))

        assert ok(client.get(kind.at(received)))["id"] == received
        assert ids(client.get(kind.url)) == {received}

    @pytest.mark.parametrize("persona", STRANGERS)
    def test_the_third_court_and_outsiders_get_a_404_and_an_empty_list(
        self, kind, received, api_as, request, persona
    ):
        client = api_as(request.getfixturevalue(persona))

        error(client.get(kind.at(received)), 404, "not_found")
        assert ok(client.get(kind.url))["count"] == 0

    @pytest.mark.parametrize(
        ("persona", "actions"),
        [
            ("jiashan_officer", ["accept", "return"]),
            ("qingpu_clerk", ["cancel"]),
            ("qingpu_officer", []),
            ("jiashan_clerk", []),
            ("xitang_judge", []),
        ],
    )
    def test_each_is_offered_only_its_own_actions(self, kind, received, api_as, request, persona, actions):
        client = api_as(request.getfixturevalue(persona))

        assert ok(client.get(kind.at(received)))["allowed_actions"] == actions

    @pytest.mark.parametrize("action", sorted(MAY))
    @pytest.mark.parametrize("persona", SEE)
    def test_only_the_right_side_acts_and_the_rest_who_see_it_get_a_403(
        self, kind, received, api_as, request, persona, action
    ):
        client = api_as(request.getfixturevalue(persona))

        response = client.post(kind.at(received, action), BODIES[action], format="json")

        if persona == MAY[action]:
            assert ok(response)["state"] == AFTER[action]
        else:
            error(response, 403, "permission_denied")
            assert state_of(kind, received) == "received"

    @pytest.mark.parametrize("persona", SEE)
    def test_only_the_entrusted_officer_reports(self, kind, accepted, api_as, request, persona):
        client = api_as(request.getfixturevalue(persona))

        response = client.post(
            kind.at(accepted, report_action(kind)), report_payload(kind, accepted), format="json"
        )

        if persona == "jiashan_officer":
            assert ok(response)["state"] in ("served", "carried_out")
        else:
            error(response, 403, "permission_denied")
            assert state_of(kind, accepted) == "accepted"

    @pytest.mark.parametrize("persona", ["jiashan_officer", "jiashan_clerk", "qingpu_officer"])
    def test_only_the_requesting_clerks_and_judges_acknowledge(
        self, kind, reported, api_as, request, persona
    ):
        error(
            api_as(request.getfixturevalue(persona)).post(kind.at(reported, "acknowledge")),
            403,
            "permission_denied",
        )
        assert state_of(kind, reported) != "closed"

    @pytest.mark.parametrize("persona", STRANGERS)
    @pytest.mark.parametrize(
        "action", ["accept", "return", "cancel", "acknowledge", "report", "report-attempt", "attachments"]
    )
    def test_the_third_court_and_outsiders_get_a_404_on_every_action(
        self, kind, received, api_as, request, persona, action
    ):
        client = api_as(request.getfixturevalue(persona))

        response = client.post(kind.at(received, action), BODIES.get(action, {}), format="json")

        error(response, 404, "not_found")  # (a preservation request has no report-attempt at all)
        assert state_of(kind, received) == "received"

    def test_a_missing_or_malformed_id_is_a_404(self, kind, received, qingpu_api):
        error(qingpu_api.get(kind.at(received + 1000)), 404, "not_found")
        error(qingpu_api.get(kind.at(10**20)), 404, "not_found")
        error(qingpu_api.get(f"{kind.at(received)}attachments/{10**20}/"), 404, "not_found")
        error(qingpu_api.get(f"{kind.url}abc/"), 404, "not_found")
        error(qingpu_api.post(kind.at(received + 1000, "cancel"), {}, format="json"), 404, "not_found")

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("get", ""),
            ("post", ""),
            ("get", "{id}/"),
            *[
                ("post", f"{{id}}/{action}/")
                for action in ["accept", "return", "cancel", "acknowledge", "report"]
            ],
            ("post", "{id}/attachments/"),
            ("get", "{id}/attachments/1/"),
        ],
    )
    def test_without_credentials_it_is_a_401(self, kind, api, received, method, path):
        response = getattr(api, method)(kind.url + path.format(id=received), {}, format="json")

        error(response, 401, "not_authenticated")
        assert state_of(kind, received) == "received"

    def test_without_credentials_nothing_is_sent(self, kind, api, qingpu_case):
        error(api.post(kind.url, payload(kind, qingpu_case), format="json"), 401, "not_authenticated")
        assert nothing_sent()


class TestWhoSends:
    @pytest.mark.parametrize("persona", ["qingpu_clerk", "qingpu_window"])
    def test_the_clerks_of_the_court_handling_the_case_send(
        self, kind, api_as, request, persona, qingpu_case
    ):
        client = api_as(request.getfixturevalue(persona))

        assert ok(client.post(kind.url, payload(kind, qingpu_case), format="json"), 201)["state"] == "sent"

    def test_a_judge_of_the_court_sends_too(self, kind, api_as, courts, qingpu_case):
        judge = make_staff("zhujiajiao.judge", "qingpu", ["judge"], "zhujiajiao")

        assert ok(api_as(judge).post(kind.url, payload(kind, qingpu_case), format="json"), 201)

    @pytest.mark.parametrize("persona", ["qingpu_officer", "outsider"])
    def test_officers_and_outsiders_do_not_send(self, kind, api_as, request, persona, qingpu_case):
        client = api_as(request.getfixturevalue(persona))

        error(client.post(kind.url, payload(kind, qingpu_case), format="json"), 403, "permission_denied")
        assert nothing_sent()

    def test_the_third_courts_clerk_is_told_the_case_does_not_exist(
        self, kind, api_as, wujiang_clerk, qingpu_case
    ):
        response = api_as(wujiang_clerk).post(kind.url, payload(kind, qingpu_case), format="json")

        assert list(error(response, 400, "invalid")["fields"]) == ["case"]
        assert nothing_sent()


# --- The shapes: state and due_at, court time, no personal data ---------------------------------------------


class TestShapes:
    def test_state_and_due_at_are_in_every_list_row_and_detail(self, kind, received, qingpu_api, officer_api):
        for client in (qingpu_api, officer_api):
            row = ok(client.get(kind.url))["results"][0]
            detail = ok(client.get(kind.at(received)))
            for body in (row, detail):
                assert body["state"] == "received"
                assert body["due_at"] is not None and body["due_at"].endswith("+08:00")
                assert body["received_at"].endswith("+08:00")
                assert {"id", "reference", "requesting_court", "entrusted_court", "case", kind.party} <= set(
                    body
                )
                assert {"overdue", "accepted_at", "officer"} <= set(body)
            assert (row["requesting_court"], row["entrusted_court"]) == ("qingpu", "jiashan")
            assert row["due_at"] == detail["due_at"]
            assert set(row[kind.party]) == {"id", "name", "role"}

    def test_the_list_row_is_light_and_the_detail_has_the_rest(self, kind, received, qingpu_api):
        row = ok(qingpu_api.get(kind.url))["results"][0]
        detail = ok(qingpu_api.get(kind.at(received)))

        nested = {"documents", "attempts"} if kind is SERVICE else {"measures"}
        assert not (nested | {"attachments", "allowed_actions", "timeline"}) & set(row)
        assert nested | {"attachments", "allowed_actions", "timeline"} <= set(detail)

    def test_due_at_is_the_same_instant_as_stored_in_court_time(self, kind, received, officer_api):
        body = ok(officer_api.get(kind.at(received)))

        stored = kind.model.objects.get(pk=received).due_at
        assert dt.datetime.fromisoformat(body["due_at"]) == stored
        assert dt.datetime.fromisoformat(body["due_at"]).utcoffset() == dt.timedelta(hours=8)

    def test_no_id_number_or_phone_appears_in_any_response(self, kind, received, qingpu_api, officer_api):
        for client in (qingpu_api, officer_api):
            for response in (client.get(kind.url), client.get(kind.at(received))):
                text = response.content.decode()
                for secret in (PLAINTIFF_ID, DEFENDANT_ID, *PHONES):
                    assert secret not in text

    def test_an_overdue_request_says_so(self, kind, received, officer_api):
        kind.model.objects.filter(pk=received).update(due_at=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))
        requests_sweep_clocks()

        assert ok(officer_api.get(kind.at(received)))["overdue"] is True
        assert ok(officer_api.get(kind.url))["results"][0]["overdue"] is True

    def test_errors_are_in_the_requests_language(self, kind, qingpu_api, qingpu_case):
        def message(language: str) -> list[str]:
            response = qingpu_api.post(
                kind.url,
                payload(kind, qingpu_case, entrusted_court="qingpu"),
                format="json",
                HTTP_ACCEPT_LANGUAGE=language,
            )
            return error(response, 400, "invalid")["fields"]["entrusted_court"]

        assert message("en") == ["The entrusted court must be another court than the requesting one."]
        assert message("zh-hans") == ["受托法院须为委托法院以外的法院。"]


# --- Attachments --------------------------------------------------------------------------------------------


def upload(name: str, content: bytes, **extra) -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream"), **extra}


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
            ("应诉通知书.pdf", PDF, "application/pdf"),
            ("scan.png", PNG, "image/png"),
            ("回证.jpg", JPEG, "image/jpeg"),
        ],
        ids=["pdf", "png", "jpeg"],
    )
    def test_the_requesting_court_attaches_the_documents_and_both_courts_download_them(
        self, kind, received, qingpu_api, officer_api, name, content, content_type
    ):
        response = qingpu_api.post(
            kind.at(received, "attachments"), upload(name, content), format="multipart"
        )

        body = ok(response, 201)
        assert body["sha256"] == hashlib.sha256(content).hexdigest()
        assert (body["original_name"], body["content_type"], body["size"], body["attempt"]) == (
            name,
            content_type,
            len(content),
            None,
        )
        assert body["url"] == f"{kind.url}{received}/attachments/{body['id']}/"
        for client in (qingpu_api, officer_api):
            download = client.get(body["url"])
            assert download.status_code == 200
            assert download["Content-Type"] == content_type
            assert download.getvalue() == content
        detail = ok(officer_api.get(kind.at(received)))
        assert [(a["id"], a["sha256"], a["url"]) for a in detail["attachments"]] == [
            (body["id"], body["sha256"], body["url"])
        ]
        assert timeline_actions(detail)[-1] == f"{kind.name}.attach"

    @only_service
    def test_the_officer_attaches_a_photo_of_the_signed_receipt_to_the_attempt(
        self, kind, reported, officer_api, qingpu_api
    ):
        attempt = ServiceAttempt.objects.get(request_id=reported)

        response = officer_api.post(
            SERVICE.at(reported, "attachments"),
            upload("回证.jpg", JPEG, attempt=attempt.pk),
            format="multipart",
        )

        body = ok(response, 201)
        assert body["attempt"] == attempt.pk
        assert ok(qingpu_api.get(SERVICE.at(reported)))["attachments"][0]["attempt"] == attempt.pk

    @only_service
    def test_an_attempt_of_another_request_is_a_400_and_nothing_is_stored(
        self, kind, reported, officer_api, qingpu_api, qingpu_case, media_root
    ):
        other = ok(qingpu_api.post(SERVICE.url, service_payload(qingpu_case), format="json"), 201)["id"]
        deliver_pending()
        attempt = ServiceAttempt.objects.get(request_id=reported)

        response = officer_api.post(
            SERVICE.at(other, "attachments"), upload("回证.jpg", JPEG, attempt=attempt.pk), format="multipart"
        )

        assert "attempt" in error(response, 400, "invalid")["fields"]
        assert not RequestAttachment.objects.exists()
        assert stored_files(media_root) == []

    @pytest.mark.parametrize(
        "content",
        ["这不是PDF文件，只是文字。".encode(), b"MZ\x90\x00 not a pdf", b""],
        ids=["text", "exe", "empty"],
    )
    def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused_and_nothing_is_stored(
        self, kind, received, qingpu_api, media_root, content
    ):
        response = qingpu_api.post(
            kind.at(received, "attachments"), upload("scan.pdf", content), format="multipart"
        )

        assert "file" in error(response, 400, "invalid")["fields"]
        assert not RequestAttachment.objects.exists()
        assert stored_files(media_root) == []

    def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(
        self, kind, received, qingpu_api, media_root, settings
    ):
        settings.UPLOAD_MAX_BYTES = 2048
        response = qingpu_api.post(
            kind.at(received, "attachments"), upload("big.pdf", PDF + b"%" + b"0" * 2048), format="multipart"
        )

        assert "file" in error(response, 400, "invalid")["fields"]
        assert not RequestAttachment.objects.exists()
        assert stored_files(media_root) == []

    def test_a_file_at_the_size_limit_is_taken(self, kind, received, qingpu_api, settings):
        settings.UPLOAD_MAX_BYTES = 2048
        content = PDF + b"%" + b"0" * (2048 - len(PDF) - 1)

        assert ok(
            qingpu_api.post(kind.at(received, "attachments"), upload("a.pdf", content), format="multipart"),
            201,
        )

    def test_a_post_without_a_file_is_a_400_naming_it(self, kind, received, qingpu_api):
        response = qingpu_api.post(kind.at(received, "attachments"), {}, format="multipart")

        assert "file" in error(response, 400, "invalid")["fields"]

    @pytest.mark.parametrize("persona", ["jiashan_clerk", "qingpu_officer"])
    def test_staff_who_see_it_but_work_on_neither_side_may_not_attach(
        self, kind, received, api_as, request, persona, media_root
    ):
        client = api_as(request.getfixturevalue(persona))

        response = client.post(kind.at(received, "attachments"), upload("a.pdf", PDF), format="multipart")

        error(response, 403, "permission_denied")
        assert not RequestAttachment.objects.exists()
        assert stored_files(media_root) == []

    @pytest.mark.parametrize("persona", STRANGERS)
    def test_the_third_court_and_outsiders_can_neither_download_nor_attach(
        self, kind, received, qingpu_api, api_as, request, persona, media_root
    ):
        uploaded = ok(
            qingpu_api.post(kind.at(received, "attachments"), upload("a.pdf", PDF), format="multipart"), 201
        )
        client = api_as(request.getfixturevalue(persona))

        error(client.get(uploaded["url"]), 404, "not_found")
        error(
            client.post(kind.at(received, "attachments"), upload("b.pdf", PDF), format="multipart"),
            404,
            "not_found",
        )
        assert RequestAttachment.objects.count() == 1
        assert len(stored_files(media_root)) == 1

    def test_an_attachment_is_not_reachable_through_another_requests_address(
        self, kind, received, qingpu_api, qingpu_case
    ):
        other = ok(qingpu_api.post(kind.url, payload(kind, qingpu_case), format="json"), 201)["id"]
        other_kind = PRESERVATION if kind is SERVICE else SERVICE
        other_kind_id = ok(
            qingpu_api.post(other_kind.url, payload(other_kind, qingpu_case), format="json"), 201
        )["id"]
        attachment = ok(
            qingpu_api.post(kind.at(received, "attachments"), upload("a.pdf", PDF), format="multipart"), 201
        )["id"]

        error(qingpu_api.get(f"{kind.at(other)}attachments/{attachment}/"), 404, "not_found")
        error(qingpu_api.get(f"{other_kind.at(other_kind_id)}attachments/{attachment}/"), 404, "not_found")
        error(qingpu_api.get(f"{kind.at(received)}attachments/{attachment + 1000}/"), 404, "not_found")


# --- Lists: filters, pagination, query counts ---------------------------------------------------------------


def send(kind: Kind, actor, case, entrusted) -> ServiceRequest | PreservationRequest:
    """A request sent through the service, to set the scene."""
    party = defendant(case)
    if kind is SERVICE:
        return service_request_create(
            actor=actor,
            case=case,
            entrusted_court=entrusted,
            recipient=party,
            address="某地",
            documents=[DocumentInput("起诉状副本")],
            method="direct",
        )
    return preservation_request_create(
        actor=actor,
        case=case,
        entrusted_court=entrusted,
        respondent=party,
        urgent=False,
        stage="in_suit",
        allowed_amount=Decimal("1000"),
        ruling_number="（2026）民初1号之一",
        measures=[MeasureInput("freeze", "bank_deposit", "农行", Decimal("1000"))],
    )


@pytest.fixture
def scene(kind, qingpu_clerk, jiashan_clerk, courts):
    """Seen from Jiashan: incoming (Qingpu -> Jiashan, received, overdue), fresh (Qingpu -> Jiashan, not yet
    delivered), outgoing (Jiashan -> Qingpu, received), elsewhere (Qingpu -> Wujiang, received)."""
    qingpu_case, jiashan_case = make_case("qingpu"), make_case("jiashan")
    incoming = send(kind, qingpu_clerk, qingpu_case, courts["jiashan"])
    outgoing = send(kind, jiashan_clerk, jiashan_case, courts["qingpu"])
    elsewhere = send(kind, qingpu_clerk, qingpu_case, courts["wujiang"])
    deliver_pending()
    fresh = send(kind, qingpu_clerk, qingpu_case, courts["jiashan"])
    kind.model.objects.filter(pk=incoming.pk).update(due_at=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))
    requests_sweep_clocks()
    return {"incoming": incoming, "outgoing": outgoing, "fresh": fresh, "elsewhere": elsewhere}


class TestFilters:
    def test_unfiltered_the_overdue_request_comes_first(self, kind, scene, officer_api):
        body = ok(officer_api.get(kind.url))

        assert {row["id"] for row in body["results"]} == {
            scene[n].pk for n in ("incoming", "outgoing", "fresh")
        }
        assert body["results"][0]["id"] == scene["incoming"].pk

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("state=received", {"incoming", "outgoing"}),
            ("state=sent", {"fresh"}),
            ("state=received&state=sent", {"incoming", "outgoing", "fresh"}),
            ("direction=incoming", {"incoming", "fresh"}),
            ("direction=outgoing", {"outgoing"}),
            ("overdue=true", {"incoming"}),
            ("overdue=false", {"outgoing", "fresh"}),
            ("state=&direction=&overdue=&search=", {"incoming", "outgoing", "fresh"}),
            ("state=closed", set()),
        ],
    )
    def test_the_entrusted_court_filters_its_list(self, kind, scene, officer_api, query, expected):
        assert ids(officer_api.get(f"{kind.url}?{query}")) == {scene[name].pk for name in expected}

    def test_the_requesting_court_sees_its_own_outgoing_requests(self, kind, scene, qingpu_api):
        outgoing = {scene[name].pk for name in ("incoming", "fresh", "elsewhere")}

        assert ids(qingpu_api.get(f"{kind.url}?direction=outgoing")) == outgoing
        assert ids(qingpu_api.get(f"{kind.url}?direction=incoming")) == {scene["outgoing"].pk}

    def test_it_finds_a_request_by_reference_or_case_number(self, kind, scene, officer_api):
        outgoing = scene["outgoing"]

        assert ids(officer_api.get(kind.url, {"search": outgoing.reference.lower()})) == {outgoing.pk}
        assert ids(officer_api.get(kind.url, {"search": outgoing.case.number})) == {outgoing.pk}

    @pytest.mark.parametrize(
        ("query", "field"),
        [("state=nonsense", "state"), ("direction=sideways", "direction"), ("overdue=perhaps", "overdue")],
    )
    def test_a_bad_filter_value_is_a_400_naming_it(self, kind, scene, officer_api, query, field):
        assert field in error(officer_api.get(f"{kind.url}?{query}"), 400, "invalid")["fields"]

    def test_a_state_of_the_other_kind_is_a_bad_filter(self, scene, kind, officer_api):
        other_state = "carried_out" if kind is SERVICE else "served"

        assert "state" in error(officer_api.get(f"{kind.url}?state={other_state}"), 400, "invalid")["fields"]

    def test_the_list_is_paginated(self, kind, scene, officer_api):
        first = ok(officer_api.get(kind.url, {"page_size": 2}))

        assert set(first) == {"count", "next", "previous", "results"}
        assert (first["count"], len(first["results"])) == (3, 2)
        second = ok(officer_api.get(first["next"]))
        assert len({row["id"] for row in first["results"] + second["results"]}) == 3


def queries_for(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured), ok(response)


class TestListQueryCounts:
    """5 open requests or 60, the first page costs the same queries: nothing is fetched per row."""

    @staticmethod
    def open_requests(kind, count, requester, officer, courts):
        case = make_case("qingpu")
        made = [send(kind, requester, case, courts["jiashan"]) for _ in range(count)]
        deliver_pending()
        for request in made[::3]:  # some accepted, so rows have an officer
            common.request_accept(kind.model, request_id=request.pk, actor=officer)

    @pytest.mark.parametrize("persona", ["jiashan_officer", "qingpu_clerk"])
    def test_the_first_page_costs_the_same_with_5_and_60_open_requests(
        self, kind, qingpu_clerk, jiashan_officer, courts, api_as, request, persona
    ):
        client = api_as(request.getfixturevalue(persona))
        self.open_requests(kind, 5, qingpu_clerk, jiashan_officer, courts)
        five, body = queries_for(client, kind.url)
        assert (body["count"], len(body["results"])) == (5, 5)

        self.open_requests(kind, 55, qingpu_clerk, jiashan_officer, courts)
        sixty, body = queries_for(client, kind.url)
        assert (body["count"], len(body["results"])) == (60, 50)

        assert sixty == five


# --- The contract ------------------------------------------------------------------------------------------


class TestSchema:
    def test_every_request_endpoint_is_documented_with_its_errors(self, api_schema):
        paths = api_schema["paths"]
        operations = [
            (path, method, operation)
            for path, methods in paths.items()
            if path.startswith(("/api/service-requests/", "/api/preservation-requests/"))
            for method, operation in methods.items()
        ]

        # list, create, detail; 7 actions each; report-attempt; the printed documents (the list, one)
        assert len(operations) == 2 * 3 + 2 * 7 + 1 + 2 * 2
        for path, method, operation in operations:
            documented = set(operation["responses"])
            assert "401" in documented, path
            if "{id}" in path:
                assert "404" in documented, path
            if method == "post" and "{id}" in path and not path.endswith("/attachments/"):
                assert {"403", "409"} <= documented, path
        assert "/api/preservation-requests/{id}/report-attempt/" not in paths
