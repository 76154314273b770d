"""The joint-mediation API (/api/mediations/) through the DRF test client: opening a mediation from parties
entered at the tribunal, from a filing Wujiang diverted and from a case, and every refusal (400 naming the
field, nothing saved; 403 for who may not); the invitations crossing courts and their answers; the
agreement and its freezing; failure, withdrawal and extension; a failed mediation becoming a filing; the
list's query count; one timeline event per transition.

Sessions are in test_api_sessions.py, judicial confirmation in test_api_confirmations.py, who sees and does
what in test_permissions.py. The services are called only to set the scene (deliveries, a diverted filing,
a mediation already accepted); everything tested goes over HTTP. Helpers here are shared by those files.
"""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Filing, Party
from cases.services.filings import filing_divert_to_mediation
from courts import query_codes
from courts.legal_calendar import COURT_TZ, compute_deadline
from courts.models import Delivery, Event
from mediation.models import (
    Agreement,
    AgreementPayment,
    AgreementSignature,
    Extension,
    Invitation,
    Mediation,
    MediationParty,
    MediationSession,
)
from mediation.services.confirmations import confirmation_apply
from mediation.services.mediations import invitation_accept, invitation_decline
from tests.cases.conftest import PLAINTIFF_ID, deliver_pending, make_case, submit
from tests.mediation.conftest import (
    accepted,
    agree,
    headline_parties,
    next_working_morning,
    open_headline,
    schedule,
)

pytestmark = pytest.mark.django_db

URL = "/api/mediations/"
SHAPE = {"code", "message", "fields"}


# --- helpers, shared by the other API test files -----------------------------------------------------------


def at(mediation_id: int, action: str = "") -> str:
    return f"{URL}{mediation_id}/{action}/" if action else f"{URL}{mediation_id}/"


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int, code: str) -> dict:
    """The body of an error response, checked for its status, the one error shape and its code."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == SHAPE
    assert body["code"] == code
    return body


def refused(response, field: str) -> dict:
    """A 400 naming `field`."""
    body = error(response, 400, "invalid")
    assert field in body["fields"], body
    return body


def ids(response) -> set[int]:
    return {row["id"] for row in ok(response)["results"]}


def stored() -> dict:
    """What a refused request must leave as it was."""
    return {
        "mediations": Mediation.objects.count(),
        "parties": MediationParty.objects.count(),
        "invitations": Invitation.objects.count(),
        "deliveries": Delivery.objects.count(),
        "events": Event.objects.count(),
    }


def year() -> int:
    return timezone.now().astimezone(COURT_TZ).year


def parties_json() -> list[dict]:
    return [dataclasses.asdict(party) for party in headline_parties()]


def create_payload(**overrides) -> dict:
    payload = {
        "lead_tribunal": "fenhu",
        "invited_tribunals": ["xitang"],
        "jurisdiction_court": "wujiang",
        "cause": "买卖合同纠纷",
        "claim_amount": "1280000.00",
        "consent": True,
        "parties": parties_json(),
    }
    payload.update(overrides)
    return payload


def party_ids(mediation_id: int) -> list[int]:
    return list(
        MediationParty.objects.filter(mediation_id=mediation_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def working_morning_after(moment: dt.datetime) -> dt.datetime:
    """10:00 on the first working day after `moment`'s day (court time): never the same day, whatever
    holidays lie ahead."""
    return next_working_morning((moment.astimezone(COURT_TZ).date() - timezone.localdate()).days + 1)


def agree_payload(mediation_id: int, **overrides) -> dict:
    now = timezone.now()
    today = timezone.localdate()
    payload = {
        "terms": "一、被告于2027年1月31日前支付货款80万元；二、余款48万元于2027年3月31日前付清。",
        "amount": "1280000.00",
        "payments": [
            {"due_on": (today + dt.timedelta(days=30)).isoformat(), "amount": "800000.00"},
            {"due_on": (today + dt.timedelta(days=90)).isoformat(), "amount": "480000.00"},
        ],
        "signatures": [
            {"party": pk, "signed_at": iso(now), "method": "handwritten"} for pk in party_ids(mediation_id)
        ],
        "effective_on": today.isoformat(),
    }
    payload.update(overrides)
    return payload


def events(body: dict, action: str | None = None) -> list[tuple[str, str, str]]:
    """The detail's timeline as (action, from_state, to_state), optionally of one action only."""
    return [
        (event["action"], event["from_state"], event["to_state"])
        for event in body["timeline"]
        if action is None or event["action"] == action
    ]


def invitation_of(body: dict, tribunal: str) -> dict:
    return next(invitation for invitation in body["invitations"] if invitation["tribunal"] == tribunal)


def in_session(lead, invitee) -> Mediation:
    mediation = accepted(lead, invitee)
    schedule(mediation, lead)
    mediation.refresh_from_db()
    assert mediation.state == "in_session"
    return mediation


# --- personas and scenes ------------------------------------------------------------------------------------


@pytest.fixture
def fenhu(api_as, fenhu_judge):
    return api_as(fenhu_judge)


@pytest.fixture
def xitang(api_as, xitang_judge):
    return api_as(xitang_judge)


@pytest.fixture
def proposed(fenhu, xitang_judge) -> int:
    """Opened by Fenhu over the API inviting Xitang; the invitation delivered (received at Jiashan)."""
    mediation_id = ok(fenhu.post(URL, create_payload(), format="json"), 201)["id"]
    assert deliver_pending() == 1
    return mediation_id


# --- 1. Opening ---------------------------------------------------------------------------------------------


class TestOpening:
    def test_it_opens_a_mediation_from_parties_entered_and_shows_the_query_code_once(self, fenhu, xitang):
        body = ok(fenhu.post(URL, create_payload(), format="json"), 201)

        mediation = Mediation.objects.get(pk=body["id"])
        assert body["number"] == f"（{year()}）苏0509民诉前调1号" == mediation.number
        assert (body["state"], body["origin"], body["filing"], body["case"]) == (
            "proposed",
            "direct",
            None,
            None,
        )
        assert (body["lead_court"], body["lead_tribunal"], body["lead_mediator"]) == (
            "wujiang",
            "fenhu",
            "fenhu.judge",
        )
        assert (body["jurisdiction_court"], body["cause"], body["claim_amount"]) == (
            "wujiang",
            "买卖合同纠纷",
            "1280000.00",
        )
        assert [(i["tribunal"], i["court"], i["state"]) for i in body["invitations"]] == [
            ("xitang", "jiashan", "sent")
        ]
        assert [(p["role"], p["kind"], p["name"], p["id_number"]) for p in body["parties"]] == [
            ("plaintiff", "person", "沈建国", "3205**********1239"),
            ("defendant", "organisation", "嘉善县某纺织品有限公司", ""),
        ]
        assert all(isinstance(party["id"], int) for party in body["parties"])
        assert query_codes.matches(body["query_code"], mediation.query_code_hash)[0]

        code = body["query_code"]
        for client in (fenhu, xitang):
            detail = client.get(at(body["id"]))
            listed = client.get(URL)
            assert "query_code" not in ok(detail) and code not in detail.content.decode()
            assert "query_code" not in ok(listed)["results"][0] and code not in listed.content.decode()

    def test_no_id_number_or_phone_appears_in_full(self, fenhu):
        response = fenhu.post(URL, create_payload(), format="json")

        text = response.content.decode()
        assert PLAINTIFF_ID not in text and "13812345678" not in text

    def test_the_numbers_run_1_2_3(self, fenhu):
        numbers = [ok(fenhu.post(URL, create_payload(), format="json"), 201)["number"] for _ in range(3)]

        assert numbers == [f"（{year()}）苏0509民诉前调{n}号" for n in (1, 2, 3)]

    def test_it_opens_a_mediation_from_a_diverted_filing_with_nothing_retyped(self, fenhu, diverted):
        body = ok(
            fenhu.post(
                URL,
                {
                    "lead_tribunal": "fenhu",
                    "invited_tribunals": ["xitang"],
                    "consent": True,
                    "filing": diverted.pk,
                },
                format="json",
            ),
            201,
        )

        assert (body["origin"], body["filing"], body["state"]) == ("filing", diverted.pk, "proposed")
        assert (body["cause"], body["claim_amount"], body["jurisdiction_court"]) == (
            diverted.cause,
            f"{diverted.claim_amount:.2f}",
            "wujiang",
        )
        assert body["materials"] == diverted.materials
        sources = list(Party.objects.filter(filing=diverted).order_by("position", "id"))
        assert [
            (p["name"], p["role"], p["kind"], p["id_number"], p["phone"], p["address"])
            for p in body["parties"]
        ] == [(s.name, s.role, s.kind, s.id_number_masked, s.phone_masked, s.address) for s in sources]
        copies = MediationParty.objects.filter(mediation_id=body["id"]).order_by("position", "id")
        assert [(c.source_id, c.id_number_lookup, c.phone_lookup) for c in copies] == [
            (s.pk, s.id_number_lookup, s.phone_lookup) for s in sources
        ]

    def test_it_opens_a_mediation_from_a_case_of_its_court(self, fenhu, courts):
        case = make_case("wujiang")

        body = ok(
            fenhu.post(
                URL,
                {"lead_tribunal": "fenhu", "invited_tribunals": ["xitang"], "consent": True, "case": case.pk},
                format="json",
            ),
            201,
        )

        assert (body["origin"], body["case"], body["cause"], body["claim_amount"]) == (
            "case",
            case.pk,
            "买卖合同纠纷",
            "500000.00",
        )
        assert body["jurisdiction_court"] == "wujiang"
        assert [(p["name"], p["role"]) for p in body["parties"]] == [
            ("王五", "plaintiff"),
            ("赵六", "defendant"),
        ]

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            pytest.param({"invited_tribunals": ["fenhu"]}, "invited_tribunals", id="own-court"),
            pytest.param({"invited_tribunals": ["nowhere"]}, "invited_tribunals.0", id="unknown-tribunal"),
            pytest.param({"invited_tribunals": []}, "invited_tribunals", id="none-invited"),
            pytest.param({"invited_tribunals": ["xitang", "xitang"]}, "invited_tribunals", id="twice"),
            pytest.param({"consent": False}, "consent", id="no-consent"),
            pytest.param({"jurisdiction_court": None}, "jurisdiction_court", id="no-jurisdiction"),
            pytest.param({"jurisdiction_court": "beijing"}, "jurisdiction_court", id="unknown-court"),
            pytest.param({"parties": []}, "origin", id="no-origin"),
            pytest.param({"cause": ""}, "cause", id="no-cause"),
            pytest.param({"lead_tribunal": "nowhere"}, "lead_tribunal", id="unknown-lead"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(self, fenhu, overrides, field):
        before = stored()

        refused(fenhu.post(URL, create_payload(**overrides), format="json"), field)

        assert stored() == before

    def test_a_bad_party_id_number_is_named_by_its_position(self, fenhu):
        parties = parties_json()
        parties[0]["id_number"] = PLAINTIFF_ID[:-1] + "8"  # wrong check digit
        before = stored()

        refused(fenhu.post(URL, create_payload(parties=parties), format="json"), "parties.0.id_number")

        assert stored() == before

    def test_a_filing_and_parties_at_once_is_refused_as_two_origins(self, fenhu, diverted):
        before = stored()

        body = refused(fenhu.post(URL, create_payload(filing=diverted.pk), format="json"), "origin")

        assert stored() == before
        assert "filing" not in body["fields"]

    def test_a_filing_not_diverted_to_mediation_is_refused(
        self, fenhu, qingpu_window, wujiang_filing, courts
    ):
        filing, _code = submit(qingpu_window, courts, jurisdiction_court="wujiang")
        deliver_pending()
        before = stored()

        refused(
            fenhu.post(
                URL, create_payload(parties=[], jurisdiction_court=None, filing=filing.pk), format="json"
            ),
            "filing",
        )

        assert stored() == before
        assert Filing.objects.get(pk=filing.pk).state == "received"

    def test_a_filing_another_court_diverted_is_refused(self, fenhu, wujiang_clerk, qingpu_clerk, courts):
        """Filed at Wujiang's window for Qingpu (so Wujiang sees it) and diverted by Qingpu: Qingpu's
        tribunal would lead it, not Fenhu."""
        filing, _code = submit(wujiang_clerk, courts)
        deliver_pending()
        filing_divert_to_mediation(filing_id=filing.pk, actor=qingpu_clerk)
        before = stored()

        refused(fenhu.post(URL, create_payload(parties=[], filing=filing.pk), format="json"), "filing")

        assert stored() == before

    def test_a_filing_already_mediated_is_refused(self, fenhu, diverted):
        payload = {
            "lead_tribunal": "fenhu",
            "invited_tribunals": ["xitang"],
            "consent": True,
            "filing": diverted.pk,
        }
        ok(fenhu.post(URL, payload, format="json"), 201)
        before = stored()

        refused(fenhu.post(URL, payload, format="json"), "filing")

        assert stored() == before

    @pytest.mark.parametrize(
        "persona", ["wujiang_clerk", "wujiang_filing", "wujiang_judge", "xitang_judge", "zhujiajiao_judge"]
    )
    def test_only_a_judge_of_the_lead_tribunal_opens_it(self, api_as, request, persona, fenhu_judge):
        before = stored()

        error(
            api_as(request.getfixturevalue(persona)).post(URL, create_payload(), format="json"),
            403,
            "permission_denied",
        )

        assert stored() == before

    def test_without_credentials_it_is_a_401(self, api, courts):
        assert api.post(URL, create_payload(), format="json").status_code == 401
        assert Mediation.objects.count() == 0


# --- 2. Invitations -----------------------------------------------------------------------------------------


class TestInvitations:
    def test_the_invitation_arrives_at_xitang_with_its_answer_due_in_3_working_days(self, fenhu, xitang):
        mediation_id = ok(fenhu.post(URL, create_payload(), format="json"), 201)["id"]
        invitation = Invitation.objects.get(mediation_id=mediation_id)
        assert invitation.state == "sent"

        assert deliver_pending() == 1

        body = ok(xitang.get(at(mediation_id)))
        shown = invitation_of(body, "xitang")
        due = compute_deadline(invitation.invited_at, 3, "working_days").due
        assert shown["state"] == "received"
        assert dt.datetime.fromisoformat(shown["due_at"]) == due
        assert shown["due_at"].endswith("+08:00")
        assert shown["received_at"] is not None and shown["mediator"] is None

    def test_the_xitang_judge_accepts_as_the_mediator_by_default(self, proposed, xitang, fenhu):
        body = ok(xitang.post(at(proposed, "accept"), {"tribunal": "xitang"}, format="json"))

        assert (invitation_of(body, "xitang")["state"], invitation_of(body, "xitang")["mediator"]) == (
            "accepted",
            "xitang.judge",
        )
        assert body["state"] == "proposed"  # the answer travels to the lead court by delivery

        deliver_pending()

        settled = ok(fenhu.get(at(proposed)))
        answered_at = Invitation.objects.get(mediation_id=proposed).answered_at
        assert settled["state"] == "accepted"
        assert settled["expires_on"] == compute_deadline(answered_at, 30, "days").due_date.isoformat()

    def test_the_xitang_judge_names_another_xitang_judge_as_mediator(self, proposed, xitang, xitang_judge_2):
        body = ok(
            xitang.post(
                at(proposed, "accept"), {"tribunal": "xitang", "mediator": "xitang.judge2"}, format="json"
            )
        )

        assert invitation_of(body, "xitang")["mediator"] == "xitang.judge2"
        assert Invitation.objects.get(mediation_id=proposed).answered_by.username == "xitang.judge"

    @pytest.mark.parametrize("mediator", ["yaozhuang.judge", "jiashan.window", "fenhu.judge", "nobody"])
    def test_a_mediator_who_is_not_a_judge_of_xitang_is_refused(
        self, proposed, xitang, yaozhuang_judge, jiashan_window, mediator
    ):
        before = stored()

        refused(
            xitang.post(at(proposed, "accept"), {"tribunal": "xitang", "mediator": mediator}, format="json"),
            "mediator",
        )

        assert Invitation.objects.get(mediation_id=proposed).state == "received"
        assert stored() == before

    def test_the_yaozhuang_judge_cannot_answer_for_xitang(self, proposed, api_as, yaozhuang_judge):
        yaozhuang = api_as(yaozhuang_judge)

        error(
            yaozhuang.post(at(proposed, "accept"), {"tribunal": "xitang"}, format="json"),
            403,
            "permission_denied",
        )
        error(
            yaozhuang.post(at(proposed, "decline"), {"tribunal": "xitang", "reason": "无暇"}, format="json"),
            403,
            "permission_denied",
        )

        assert Invitation.objects.get(mediation_id=proposed).state == "received"

    def test_a_tribunal_that_was_not_invited_cannot_answer(self, proposed, api_as, yaozhuang_judge):
        yaozhuang = api_as(yaozhuang_judge)

        refused(yaozhuang.post(at(proposed, "accept"), {"tribunal": "yaozhuang"}, format="json"), "tribunal")
        refused(
            yaozhuang.post(
                at(proposed, "decline"), {"tribunal": "yaozhuang", "reason": "无暇"}, format="json"
            ),
            "tribunal",
        )

        assert not Invitation.objects.filter(tribunal__code="yaozhuang").exists()

    @pytest.mark.parametrize("body", [{"tribunal": "xitang"}, {"tribunal": "xitang", "reason": "  "}])
    def test_declining_needs_a_reason(self, proposed, xitang, body):
        refused(xitang.post(at(proposed, "decline"), body, format="json"), "reason")

        assert Invitation.objects.get(mediation_id=proposed).state == "received"

    def test_declined_by_its_only_invited_tribunal_the_mediation_is_declined(self, proposed, xitang, fenhu):
        body = ok(
            xitang.post(
                at(proposed, "decline"), {"tribunal": "xitang", "reason": "本庭近期无法安排"}, format="json"
            )
        )
        assert invitation_of(body, "xitang")["decline_reason"] == "本庭近期无法安排"

        deliver_pending()

        settled = ok(fenhu.get(at(proposed)))
        assert settled["state"] == "declined"
        assert events(settled, "mediation.declined") == [("mediation.declined", "proposed", "declined")]
        assert settled["expires_on"] is None and settled["accepted_at"] is None

    def test_with_two_invited_tribunals_it_waits_for_both_and_one_acceptance_is_enough(
        self, fenhu, xitang, api_as, zhujiajiao_judge
    ):
        zhujiajiao = api_as(zhujiajiao_judge)
        mediation_id = ok(
            fenhu.post(URL, create_payload(invited_tribunals=["xitang", "zhujiajiao"]), format="json"), 201
        )["id"]
        assert deliver_pending() == 2

        ok(xitang.post(at(mediation_id, "accept"), {"tribunal": "xitang"}, format="json"))
        deliver_pending()
        assert ok(fenhu.get(at(mediation_id)))["state"] == "proposed"

        ok(
            zhujiajiao.post(
                at(mediation_id, "decline"), {"tribunal": "zhujiajiao", "reason": "管辖无关"}, format="json"
            )
        )
        deliver_pending()

        body = ok(fenhu.get(at(mediation_id)))
        completing = Invitation.objects.get(
            mediation_id=mediation_id, tribunal__code="zhujiajiao"
        ).answered_at
        assert body["state"] == "accepted"
        assert [(i["tribunal"], i["state"]) for i in body["invitations"]] == [
            ("xitang", "accepted"),
            ("zhujiajiao", "declined"),
        ]
        # The 30 days (CPL 85: the first day not counted) run from the answer that completed acceptance.
        assert body["expires_on"] == compute_deadline(completing, 30, "days").due_date.isoformat()
        assert dt.datetime.fromisoformat(body["accepted_at"]) == completing

    def test_declined_by_both_the_lead_invites_another_and_it_is_proposed_again(
        self, fenhu, xitang, api_as, zhujiajiao_judge, yaozhuang_judge
    ):
        zhujiajiao = api_as(zhujiajiao_judge)
        mediation_id = ok(
            fenhu.post(URL, create_payload(invited_tribunals=["xitang", "zhujiajiao"]), format="json"), 201
        )["id"]
        deliver_pending()
        ok(xitang.post(at(mediation_id, "decline"), {"tribunal": "xitang", "reason": "无暇"}, format="json"))
        ok(
            zhujiajiao.post(
                at(mediation_id, "decline"), {"tribunal": "zhujiajiao", "reason": "无暇"}, format="json"
            )
        )
        deliver_pending()
        assert ok(fenhu.get(at(mediation_id)))["state"] == "declined"

        body = ok(fenhu.post(at(mediation_id, "invite"), {"tribunals": ["yaozhuang"]}, format="json"))

        assert body["state"] == "proposed"
        assert invitation_of(body, "yaozhuang")["state"] == "sent"
        assert events(body, "mediation.reinvite") == [("mediation.reinvite", "declined", "proposed")]
        deliver_pending()
        ok(api_as(yaozhuang_judge).post(at(mediation_id, "accept"), {"tribunal": "yaozhuang"}, format="json"))
        deliver_pending()
        assert ok(fenhu.get(at(mediation_id)))["state"] == "accepted"

    @pytest.mark.parametrize(
        ("tribunals", "field"),
        [
            (["xitang"], "tribunals"),
            (["fenhu"], "tribunals"),
            (["nowhere"], "tribunals.0"),
            ([], "tribunals"),
        ],
    )
    def test_inviting_a_tribunal_already_invited_of_the_own_court_or_unknown_is_refused(
        self, proposed, fenhu, tribunals, field
    ):
        before = stored()

        refused(fenhu.post(at(proposed, "invite"), {"tribunals": tribunals}, format="json"), field)

        assert stored() == before

    def test_the_lead_cancels_an_unanswered_invitation_and_the_answers_it_has_settle_it(
        self, fenhu, xitang, zhujiajiao_judge
    ):
        mediation_id = ok(
            fenhu.post(URL, create_payload(invited_tribunals=["xitang", "zhujiajiao"]), format="json"), 201
        )["id"]
        deliver_pending()
        ok(xitang.post(at(mediation_id, "accept"), {"tribunal": "xitang"}, format="json"))
        deliver_pending()

        body = ok(
            fenhu.post(
                at(mediation_id, "cancel-invitation"),
                {"tribunal": "zhujiajiao", "reason": "久未答复"},
                format="json",
            )
        )

        assert invitation_of(body, "zhujiajiao")["state"] == "cancelled"
        assert body["state"] == "accepted"
        assert Delivery.objects.filter(
            court__code="qingpu", kind="mediation.changed", state="pending"
        ).exists()

    def test_an_invitation_already_answered_cannot_be_cancelled(self, proposed, fenhu, xitang):
        ok(xitang.post(at(proposed, "accept"), {"tribunal": "xitang"}, format="json"))

        refused(
            fenhu.post(at(proposed, "cancel-invitation"), {"tribunal": "xitang"}, format="json"), "tribunal"
        )

        assert Invitation.objects.get(mediation_id=proposed).state == "accepted"

    def test_answering_twice_is_a_409_naming_the_allowed_states(self, proposed, xitang):
        ok(xitang.post(at(proposed, "accept"), {"tribunal": "xitang"}, format="json"))

        again = error(
            xitang.post(at(proposed, "accept"), {"tribunal": "xitang"}, format="json"),
            409,
            "invalid_transition",
        )
        decline = error(
            xitang.post(at(proposed, "decline"), {"tribunal": "xitang", "reason": "改变主意"}, format="json"),
            409,
            "invalid_transition",
        )

        assert again["fields"] == decline["fields"] == {"allowed_transitions": []}
        assert Invitation.objects.get(mediation_id=proposed).state == "accepted"

    def test_an_invitation_not_yet_delivered_cannot_be_answered_and_the_409_names_what_it_may_become(
        self, fenhu, xitang
    ):
        mediation_id = ok(fenhu.post(URL, create_payload(), format="json"), 201)["id"]

        body = error(
            xitang.post(at(mediation_id, "accept"), {"tribunal": "xitang"}, format="json"),
            409,
            "invalid_transition",
        )

        assert body["fields"] == {"allowed_transitions": ["received", "cancelled"]}

    @pytest.mark.parametrize("ended_by", ["cancel-invitation", "withdraw"])
    def test_an_invitation_the_lead_withdrew_cannot_be_answered_and_says_so(
        self, proposed, fenhu, xitang, ended_by
    ):
        ok(
            fenhu.post(
                at(proposed, ended_by), {"tribunal": "xitang", "reason": "当事人已和解"}, format="json"
            )
        )
        before = stored()

        accept = error(
            xitang.post(at(proposed, "accept"), {"tribunal": "xitang"}, format="json"),
            409,
            "invalid_transition",
        )
        decline = error(
            xitang.post(at(proposed, "decline"), {"tribunal": "xitang", "reason": "无暇"}, format="json"),
            409,
            "invalid_transition",
        )

        assert accept["fields"] == decline["fields"] == {"allowed_transitions": []}
        assert stored() == before

    def test_a_tribunal_invited_again_after_declining_answers_its_new_invitation(
        self, proposed, fenhu, xitang, api_as
    ):
        ok(xitang.post(at(proposed, "decline"), {"tribunal": "xitang", "reason": "暂时无暇"}, format="json"))
        deliver_pending()
        ok(fenhu.post(at(proposed, "invite"), {"tribunals": ["xitang"]}, format="json"))
        deliver_pending()

        body = ok(xitang.post(at(proposed, "accept"), {"tribunal": "xitang"}, format="json"))

        assert [(i["tribunal"], i["state"]) for i in body["invitations"]] == [
            ("xitang", "declined"),
            ("xitang", "accepted"),
        ]
        deliver_pending()
        assert ok(fenhu.get(at(proposed)))["state"] == "accepted"


# --- 4. Agreement -------------------------------------------------------------------------------------------


class TestAgreement:
    def test_the_parties_sign_and_the_mediation_is_agreed(self, fenhu_judge, xitang_judge, fenhu):
        mediation = in_session(fenhu_judge, xitang_judge)
        payload = agree_payload(mediation.pk)

        body = ok(fenhu.post(at(mediation.pk, "agree"), payload, format="json"))

        assert body["state"] == "agreed" and body["ended_at"] is not None
        agreement = body["agreement"]
        assert (agreement["state"], agreement["amount"], agreement["effective_on"]) == (
            "in_force",
            "1280000.00",
            payload["effective_on"],
        )
        assert [(p["due_on"], p["amount"]) for p in agreement["payments"]] == [
            (p["due_on"], p["amount"]) for p in payload["payments"]
        ]
        assert sorted(s["party"] for s in agreement["signatures"]) == party_ids(mediation.pk)
        assert events(body, "mediation.agree") == [("mediation.agree", "in_session", "agreed")]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param("one_unsigned", "signatures", id="a-party-not-signing"),
            pytest.param("short_payments", "payments", id="payments-not-adding-up"),
            pytest.param("future_signature", "signatures.0.signed_at", id="signed-in-the-future"),
            pytest.param("effective_early", "effective_on", id="effective-before-the-last-signature"),
            pytest.param("not_a_party", "signatures.1.party", id="signed-by-someone-else"),
            pytest.param("bad_method", "signatures.0.method", id="signed-how"),
            pytest.param("no_terms", "terms", id="no-terms"),
        ],
    )
    def test_a_bad_agreement_is_a_400_naming_the_field_and_nothing_is_half_saved(
        self, fenhu_judge, xitang_judge, fenhu, change, field
    ):
        mediation = in_session(fenhu_judge, xitang_judge)
        payload = agree_payload(mediation.pk)
        if change == "one_unsigned":
            payload["signatures"] = payload["signatures"][:1]
        elif change == "short_payments":
            payload["payments"][1]["amount"] = "200000.00"
        elif change == "future_signature":
            payload["signatures"][0]["signed_at"] = iso(timezone.now() + dt.timedelta(hours=2))
        elif change == "effective_early":
            payload["effective_on"] = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
            payload["payments"] = []
            payload["amount"] = None
        elif change == "not_a_party":
            payload["signatures"][1]["party"] = 999_999
        elif change == "bad_method":
            payload["signatures"][0]["method"] = "fingerprint"
        elif change == "no_terms":
            payload["terms"] = ""
        events_before = Event.objects.count()

        refused(fenhu.post(at(mediation.pk, "agree"), payload, format="json"), field)

        assert not Agreement.objects.exists()
        assert not AgreementPayment.objects.exists() and not AgreementSignature.objects.exists()
        assert Mediation.objects.get(pk=mediation.pk).state == "in_session"
        assert Event.objects.count() == events_before

    def test_the_day_of_the_last_signature_is_counted_in_court_time(self, fenhu_judge, xitang_judge, fenhu):
        """Signed at 07:00 in Beijing (still the day before in UTC): it may take effect that same day."""
        mediation = in_session(fenhu_judge, xitang_judge)
        Mediation.objects.filter(pk=mediation.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
        day = timezone.localdate() - dt.timedelta(days=1)
        early = dt.datetime.combine(day, dt.time(7), tzinfo=COURT_TZ)
        payload = agree_payload(mediation.pk, effective_on=day.isoformat())
        for signature in payload["signatures"]:
            signature["signed_at"] = iso(early)

        body = ok(fenhu.post(at(mediation.pk, "agree"), payload, format="json"))

        assert body["agreement"]["effective_on"] == day.isoformat()
        assert {s["signed_at"] for s in body["agreement"]["signatures"]} == {iso(early)}

    def test_an_agreement_before_any_session_is_refused(self, fenhu_judge, xitang_judge, fenhu):
        mediation = accepted(fenhu_judge, xitang_judge)

        refused(fenhu.post(at(mediation.pk, "agree"), agree_payload(mediation.pk), format="json"), "state")

        assert not Agreement.objects.exists()

    def test_a_signed_agreement_is_frozen_and_replaced_only_with_a_reason(
        self, fenhu_judge, xitang_judge, fenhu
    ):
        mediation = in_session(fenhu_judge, xitang_judge)
        first = ok(fenhu.post(at(mediation.pk, "agree"), agree_payload(mediation.pk), format="json"))[
            "agreement"
        ]
        replacement = agree_payload(mediation.pk, amount="1000000.00")
        replacement["payments"] = [{"due_on": replacement["payments"][0]["due_on"], "amount": "1000000.00"}]

        refused(fenhu.post(at(mediation.pk, "agree"), replacement, format="json"), "reason")
        assert list(Agreement.objects.values_list("pk", "state")) == [(first["id"], "in_force")]

        with_reason = {**replacement, "reason": "双方同意一次性付清"}
        # The one it replaces is named, so two judges recording at once cannot replace one never seen.
        refused(fenhu.post(at(mediation.pk, "agree"), with_reason, format="json"), "replaces")
        wrong = {**with_reason, "replaces": first["id"] + 100}
        refused(fenhu.post(at(mediation.pk, "agree"), wrong, format="json"), "replaces")
        body = ok(
            fenhu.post(at(mediation.pk, "agree"), {**with_reason, "replaces": first["id"]}, format="json")
        )

        assert body["state"] == "agreed"
        assert (body["agreement"]["amount"], body["agreement"]["replaces"]) == ("1000000.00", first["id"])
        assert body["agreement"]["replacement_reason"] == "双方同意一次性付清"
        assert [(a["id"], a["state"]) for a in body["agreements"]] == [
            (first["id"], "superseded"),
            (body["agreement"]["id"], "in_force"),
        ]
        assert events(body, "agreement.supersede") == [("agreement.supersede", "in_force", "superseded")]
        assert events(body, "mediation.agree") == [("mediation.agree", "in_session", "agreed")]

    def test_an_agreement_before_the_court_for_confirmation_cannot_be_replaced(
        self, fenhu_judge, xitang_judge, fenhu, courts
    ):
        mediation = in_session(fenhu_judge, xitang_judge)
        first = agree(mediation, fenhu_judge)
        confirmation_apply(
            mediation_id=mediation.pk,
            actor=fenhu_judge,
            court=courts["wujiang"],
            applicants=party_ids(mediation.pk),
        )

        refused(
            fenhu.post(
                at(mediation.pk, "agree"),
                {**agree_payload(mediation.pk), "reason": "改约", "replaces": first.pk},
                format="json",
            ),
            "reason",
        )

        assert list(Agreement.objects.values_list("pk", "state")) == [(first.pk, "in_force")]


# --- 5. Failure, withdrawal, extension, conversion to a filing ----------------------------------------------


class TestEnding:
    def test_failure_needs_a_reason(self, fenhu_judge, xitang_judge, fenhu):
        mediation = in_session(fenhu_judge, xitang_judge)

        refused(fenhu.post(at(mediation.pk, "fail"), {}, format="json"), "reason")
        refused(fenhu.post(at(mediation.pk, "fail"), {"reason": " "}, format="json"), "reason")
        assert Mediation.objects.get(pk=mediation.pk).state == "in_session"

        body = ok(fenhu.post(at(mediation.pk, "fail"), {"reason": "被告拒绝调解"}, format="json"))

        assert (body["state"], body["end_reason"]) == ("failed", "被告拒绝调解")
        assert events(body, "mediation.fail") == [("mediation.fail", "in_session", "failed")]

    def test_the_parties_withdraw_a_proposed_mediation_and_its_invitations_are_cancelled(
        self, proposed, fenhu
    ):
        body = ok(fenhu.post(at(proposed, "withdraw"), {"reason": "双方已自行和解"}, format="json"))

        assert (body["state"], body["end_reason"]) == ("withdrawn", "双方已自行和解")
        assert invitation_of(body, "xitang")["state"] == "cancelled"
        assert events(body, "invitation.cancel") == [("invitation.cancel", "received", "cancelled")]
        assert events(body, "mediation.withdraw") == [("mediation.withdraw", "proposed", "withdrawn")]
        assert Delivery.objects.filter(court__code="jiashan", kind="mediation.changed").exists()

    def test_the_parties_withdraw_in_session_and_what_was_still_to_come_is_cancelled(
        self, fenhu_judge, xitang_judge, fenhu
    ):
        """The session already held stays as it was; the one to come is cancelled (its room and mediators
        free again), and so is an invitation still unanswered."""
        mediation = in_session(fenhu_judge, xitang_judge)
        held = MediationSession.objects.get(mediation=mediation)
        later = schedule(mediation, fenhu_judge, start=working_morning_after(held.starts_at))
        MediationSession.objects.filter(pk=held.pk).update(
            starts_at=timezone.now() - dt.timedelta(hours=3), ends_at=timezone.now() - dt.timedelta(hours=1)
        )
        ok(fenhu.post(at(mediation.pk, "invite"), {"tribunals": ["zhujiajiao"]}, format="json"))
        deliver_pending()

        body = ok(fenhu.post(at(mediation.pk, "withdraw"), {}, format="json"))

        assert body["state"] == "withdrawn"
        assert {s["id"]: s["state"] for s in body["sessions"]} == {
            held.pk: "scheduled",
            later.pk: "cancelled",
        }
        assert not later.bookings.filter(active=True).exists()
        assert [(i["tribunal"], i["state"]) for i in body["invitations"]] == [
            ("xitang", "accepted"),
            ("zhujiajiao", "cancelled"),
        ]
        assert events(body, "mediation.withdraw") == [("mediation.withdraw", "in_session", "withdrawn")]
        assert events(body, "session.cancel") == [("session.cancel", "scheduled", "cancelled")]
        assert Delivery.objects.filter(
            court__code="qingpu", kind="mediation.changed", state="pending"
        ).exists()

    def test_a_closed_mediation_cannot_be_withdrawn_or_failed(self, fenhu_judge, xitang_judge, fenhu):
        mediation = in_session(fenhu_judge, xitang_judge)
        ok(fenhu.post(at(mediation.pk, "fail"), {"reason": "调解不成"}, format="json"))

        body = error(fenhu.post(at(mediation.pk, "withdraw"), {}, format="json"), 409, "invalid_transition")
        error(
            fenhu.post(at(mediation.pk, "fail"), {"reason": "再次"}, format="json"), 409, "invalid_transition"
        )

        assert body["fields"] == {"allowed_transitions": []}

    def test_the_parties_agree_to_extend_it(self, fenhu_judge, xitang_judge, fenhu):
        mediation = accepted(fenhu_judge, xitang_judge)
        until = mediation.expires_on + dt.timedelta(days=15)

        body = ok(
            fenhu.post(
                at(mediation.pk, "extend"),
                {"until": until.isoformat(), "reason": "双方同意延长", "agreed_by": party_ids(mediation.pk)},
                format="json",
            )
        )

        assert body["expires_on"] == until.isoformat()
        assert body["extensions"] == [
            {
                "previous_end": mediation.expires_on.isoformat(),
                "until": until.isoformat(),
                "reason": "双方同意延长",
                "agreed_by": party_ids(mediation.pk),
                "created_at": body["extensions"][0]["created_at"],
            }
        ]
        assert events(body, "mediation.extend") == [("mediation.extend", "accepted", "accepted")]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param({"until": 0}, "until", id="not-after-the-current-end"),
            pytest.param({"until": -3}, "until", id="before-the-current-end"),
            pytest.param({"reason": ""}, "reason", id="no-reason"),
            pytest.param({"agreed_by": "one"}, "agreed_by", id="a-party-missing"),
            pytest.param({"agreed_by": "stranger"}, "agreed_by", id="not-a-party"),
        ],
    )
    def test_a_bad_extension_is_a_400_naming_the_field_and_nothing_changes(
        self, fenhu_judge, xitang_judge, fenhu, change, field
    ):
        mediation = accepted(fenhu_judge, xitang_judge)
        parties = party_ids(mediation.pk)
        payload = {
            "until": (mediation.expires_on + dt.timedelta(days=15)).isoformat(),
            "reason": "双方同意延长",
            "agreed_by": parties,
        }
        if "until" in change:
            payload["until"] = (mediation.expires_on + dt.timedelta(days=change["until"])).isoformat()
        if "reason" in change:
            payload["reason"] = change["reason"]
        if change.get("agreed_by") == "one":
            payload["agreed_by"] = parties[:1]
        elif change.get("agreed_by") == "stranger":
            payload["agreed_by"] = [*parties, 999_999]

        refused(fenhu.post(at(mediation.pk, "extend"), payload, format="json"), field)

        assert Mediation.objects.get(pk=mediation.pk).expires_on == mediation.expires_on
        assert not Extension.objects.exists()

    def test_a_mediation_not_under_way_cannot_be_extended(self, proposed, fenhu):
        refused(
            fenhu.post(
                at(proposed, "extend"),
                {"until": (timezone.localdate() + dt.timedelta(days=60)).isoformat(), "reason": "延长"},
                format="json",
            ),
            "until",
        )


class TestConversionToAFiling:
    def failed(self, fenhu_judge, xitang_judge, fenhu, jurisdiction) -> Mediation:
        mediation, _code = open_headline(fenhu_judge, jurisdiction_court=jurisdiction)
        deliver_pending()
        invitation_accept(invitation_id=mediation.invitations.get().pk, actor=xitang_judge)
        deliver_pending()
        ok(fenhu.post(at(mediation.pk, "fail"), {"reason": "调解不成"}, format="json"))
        return mediation

    def test_it_becomes_a_cross_region_filing_at_qingpu_with_the_parties_intact(
        self, fenhu_judge, xitang_judge, fenhu, api_as, qingpu_clerk, courts
    ):
        mediation = self.failed(fenhu_judge, xitang_judge, fenhu, courts["qingpu"])

        created = ok(fenhu.post(at(mediation.pk, "convert-to-filing")), 201)

        filing = Filing.objects.get(pk=created["id"])
        assert created["receipt_number"] == filing.receipt_number
        assert (filing.collaborating_court.code, filing.jurisdiction_court.code, filing.state) == (
            "wujiang",
            "qingpu",
            "submitted",
        )
        deliver_pending()
        body = ok(api_as(qingpu_clerk).get(f"/api/filings/{filing.pk}/"))
        assert body["state"] == "received"
        assert (body["category"], body["cause"], body["claim_amount"]) == (
            "civil_first_instance",
            "买卖合同纠纷",
            "1280000.00",
        )
        mediation_parties = MediationParty.objects.filter(mediation=mediation).order_by("position", "id")
        assert [(p["name"], p["role"], p["id_number"], p["phone"]) for p in body["parties"]] == [
            (p.name, p.role, p.id_number_masked, p.phone_masked) for p in mediation_parties
        ]
        assert [(p.id_number_lookup, p.phone_lookup) for p in filing.parties.order_by("position", "id")] == [
            (p.id_number_lookup, p.phone_lookup) for p in mediation_parties
        ]
        assert f"调解不成：{mediation.number}" in body["materials"]
        assert ok(fenhu.get(at(mediation.pk)))["resulting_filing"] == {
            "id": filing.pk,
            "receipt_number": filing.receipt_number,
        }

    def test_the_qingpu_filing_names_the_mediation_it_came_from(
        self, fenhu_judge, xitang_judge, fenhu, api_as, qingpu_clerk, courts
    ):
        mediation = self.failed(fenhu_judge, xitang_judge, fenhu, courts["qingpu"])
        filing_id = ok(fenhu.post(at(mediation.pk, "convert-to-filing")), 201)["id"]
        deliver_pending()

        body = ok(api_as(qingpu_clerk).get(f"/api/filings/{filing_id}/"))

        assert [(link["kind"], link["id"], link["label"]) for link in body["linked_records"]] == [
            ("mediation", mediation.pk, mediation.number)
        ]
        assert ok(api_as(qingpu_clerk).get(at(mediation.pk)))["resulting_filing"]["id"] == filing_id

    def test_it_becomes_a_local_filing_in_wujiangs_own_inbox(
        self, fenhu_judge, xitang_judge, fenhu, api_as, wujiang_filing, courts
    ):
        mediation = self.failed(fenhu_judge, xitang_judge, fenhu, courts["wujiang"])

        created = ok(fenhu.post(at(mediation.pk, "convert-to-filing")), 201)

        filing = Filing.objects.get(pk=created["id"])
        assert (filing.collaborating_court.code, filing.jurisdiction_court.code) == ("wujiang", "wujiang")
        deliver_pending()
        inbox = ok(
            api_as(wujiang_filing).get("/api/filings/", {"direction": "incoming", "state": "received"})
        )
        assert [row["id"] for row in inbox["results"]] == [filing.pk]
        assert (
            ok(api_as(wujiang_filing).get(f"/api/filings/{filing.pk}/"))["linked_records"][0]["id"]
            == mediation.pk
        )

    def test_it_becomes_a_filing_only_once(self, fenhu_judge, xitang_judge, fenhu, courts):
        mediation = self.failed(fenhu_judge, xitang_judge, fenhu, courts["qingpu"])
        ok(fenhu.post(at(mediation.pk, "convert-to-filing")), 201)
        filings = Filing.objects.count()

        refused(fenhu.post(at(mediation.pk, "convert-to-filing")), "state")

        assert Filing.objects.count() == filings

    def test_a_mediation_still_under_way_does_not_become_a_filing(self, fenhu_judge, xitang_judge, fenhu):
        mediation = in_session(fenhu_judge, xitang_judge)

        refused(fenhu.post(at(mediation.pk, "convert-to-filing")), "state")

        assert not Filing.objects.exists()


# --- 8. The list's query count ------------------------------------------------------------------------------


def many_mediations(lead, invitee, count: int) -> None:
    """`count` mediations in assorted states, each with two parties and an invitation or two."""
    for index in range(count):
        mediation, _code = open_headline(lead, invited=("xitang", "zhujiajiao") if index % 2 else ("xitang",))
        deliver_pending()
        if index % 3 == 0:
            invitation_accept(invitation_id=mediation.invitations.first().pk, actor=invitee)
        elif index % 3 == 1:
            invitation_decline(invitation_id=mediation.invitations.first().pk, actor=invitee, reason="无暇")
        deliver_pending()


def list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        body = ok(client.get(URL))
    return len(queries), body["count"]


def test_the_list_costs_the_same_queries_with_2_and_12_mediations(
    fenhu_judge, xitang_judge, fenhu, django_assert_max_num_queries
):
    many_mediations(fenhu_judge, xitang_judge, 2)
    with_two, count = list_queries(fenhu)
    assert count == 2

    many_mediations(fenhu_judge, xitang_judge, 10)
    with_twelve, count = list_queries(fenhu)

    assert count == 12
    assert with_twelve == with_two
    # The auth token and user, the count, the page, invitations, parties, sessions and agreements (and, when
    # there are any, their mediators, parties present, payments and signatures), and one query for every
    # timeline of the page.
    with django_assert_max_num_queries(14):
        fenhu.get(URL)


def test_mine_lists_what_the_users_tribunal_leads_or_accepted(
    fenhu_judge, xitang_judge, api_as, yaozhuang_judge
):
    many_mediations(fenhu_judge, xitang_judge, 3)  # Xitang accepted the first only
    first = Mediation.objects.get(sequence=1)
    all_three = set(Mediation.objects.values_list("pk", flat=True))

    assert ids(api_as(xitang_judge).get(URL, {"mine": "true"})) == {first.pk}
    assert ids(api_as(xitang_judge).get(URL)) == all_three
    assert ids(api_as(fenhu_judge).get(URL, {"mine": "true"})) == all_three
    assert ids(api_as(yaozhuang_judge).get(URL, {"mine": "true"})) == set()


def test_the_list_filters_by_state_and_finds_by_number(fenhu_judge, xitang_judge, fenhu):
    many_mediations(fenhu_judge, xitang_judge, 3)  # accepted; proposed (one of two declined); proposed
    by_state = {
        state: set(Mediation.objects.filter(state=state).values_list("pk", flat=True))
        for state in ("accepted", "proposed")
    }
    assert (len(by_state["accepted"]), len(by_state["proposed"])) == (1, 2)
    by_number = Mediation.objects.get(sequence=2)

    assert ids(fenhu.get(URL, {"state": "accepted"})) == by_state["accepted"]
    assert (
        ids(fenhu.get(URL, {"state": ["accepted", "proposed"]}))
        == by_state["accepted"] | by_state["proposed"]
    )
    assert ids(fenhu.get(URL, {"state": "declined"})) == set()
    assert ids(fenhu.get(URL, {"search": by_number.number})) == {by_number.pk}
    refused(fenhu.get(URL, {"state": "sleeping"}), "state")


# --- 9. The timeline: one event per transition, with its states ---------------------------------------------


def test_every_step_of_the_story_writes_one_event_with_its_states(fenhu_judge, xitang_judge, fenhu, xitang):
    mediation_id = ok(fenhu.post(URL, create_payload(), format="json"), 201)["id"]
    deliver_pending()
    ok(xitang.post(at(mediation_id, "accept"), {"tribunal": "xitang"}, format="json"))
    deliver_pending()
    start = next_working_morning()
    ok(
        fenhu.post(
            at(mediation_id, "sessions"),
            {
                "starts_at": iso(start),
                "ends_at": iso(start + dt.timedelta(hours=2)),
                "mode": "in_person",
                "tribunal": "fenhu",
                "room": "第一调解室",
            },
            format="json",
        ),
        201,
    )
    ok(fenhu.post(at(mediation_id, "agree"), agree_payload(mediation_id), format="json"))

    body = ok(xitang.get(at(mediation_id)))

    assert events(body) == [
        ("mediation.propose", "", "proposed"),
        ("invitation.send", "", "sent"),
        ("invitation.receive", "sent", "received"),
        ("invitation.accept", "received", "accepted"),
        ("mediation.accept", "proposed", "accepted"),
        ("session.schedule", "", "scheduled"),
        ("mediation.first_session", "accepted", "in_session"),
        ("agreement.sign", "", "in_force"),
        ("mediation.agree", "in_session", "agreed"),
        # The session still to come was cancelled with the agreement.
        ("session.cancel", "scheduled", "cancelled"),
    ]
    by_action = {event["action"]: event for event in body["timeline"]}
    assert (by_action["invitation.accept"]["actor"], by_action["invitation.accept"]["actor_court"]) == (
        "xitang.judge",
        "jiashan",
    )
    assert by_action["mediation.accept"]["actor_court"] == "wujiang"  # settled where the answer arrived
    assert by_action["mediation.propose"]["payload"]["invited"] == ["xitang"]


def test_a_failed_mediation_writes_its_end_and_nothing_else(fenhu_judge, xitang_judge, fenhu):
    mediation = accepted(fenhu_judge, xitang_judge)
    before = Event.objects.count()

    body = ok(fenhu.post(at(mediation.pk, "fail"), {"reason": "调解不成"}, format="json"))

    assert Event.objects.count() == before + 1
    assert events(body)[-1] == ("mediation.fail", "accepted", "failed")
    assert body["timeline"][-1]["reason"] == "调解不成"


def test_a_refused_decline_writes_nothing(proposed, xitang):
    before = Event.objects.count()

    refused(xitang.post(at(proposed, "decline"), {"tribunal": "xitang"}, format="json"), "reason")

    assert Event.objects.count() == before
    assert Decimal(Mediation.objects.get(pk=proposed).claim_amount) == Decimal("1280000.00")


# --- The contract: every endpoint documented, errors in the request's language ----------------------------


def test_every_mediation_endpoint_is_documented_with_its_errors(api_schema):
    paths = api_schema["paths"]
    operations = [
        (path, method, operation)
        for path, methods in paths.items()
        if path.startswith(("/api/mediations/", "/api/mediation-sessions/", "/api/confirmations/"))
        for method, operation in methods.items()
    ]

    # mediations: list, create, detail, 10 actions, the reveal and the printed documents (list, one);
    # sessions: list, detail and 3 actions; confirmations: list, create, detail, 7 actions and the documents
    assert len(operations) == 16 + 5 + 12
    for path, method, operation in operations:
        documented = set(operation["responses"])
        assert "401" in documented, path
        if "{id}" in path:
            assert "404" in documented, path
        if method == "post" and "{id}" in path and not path.endswith("/reveal/"):
            assert {"400", "403", "409"} <= documented, path


def test_errors_are_in_the_requests_language(fenhu):
    chinese = refused(fenhu.post(URL, create_payload(consent=False), format="json"), "consent")
    english = refused(
        fenhu.post(URL, create_payload(consent=False), format="json", HTTP_ACCEPT_LANGUAGE="en"), "consent"
    )

    assert english["fields"]["consent"] == ["Mediation needs the parties' consent."]
    assert chinese["message"] != english["message"]
