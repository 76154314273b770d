"""Judicial confirmation (/api/confirmations/) through the API: the joint application (all parties, a
competent court, within 30 days of the agreement taking effect, CPL 205), registration as a 民特 case with
its 30 days to decide and the 15-day target (CPL 187), a request for supplements, the ruling by a judge of
that court only (confirmed, rejected, not accepted), withdrawal, and the enforcement filing a confirmed
ruling starts. The competent courts follow DOMAIN.md: the court that invited the mediation (a filing it
diverted), otherwise a party's domicile, the property's place or a mediator's seat.

The headline mediation is entered at Fenhu (Wujiang) with Xitang (Jiashan) accepting; its plaintiff lives
in Wujiang and its defendant in Jiashan, so Wujiang and Jiashan are competent and Qingpu is not.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Filing
from courts.legal_calendar import compute_deadline
from courts.models import Court, Event, Notification
from mediation.models import Confirmation, Mediation, MediationParty
from mediation.services.agreements import SignatureInput
from mediation.services.confirmations import application_deadline
from mediation.services.mediations import Origin, invitation_accept, mediation_open
from tests.cases.conftest import deliver_pending
from tests.mediation.conftest import accepted, agree, headline_parties, open_headline, schedule, tribunal
from tests.mediation.test_api_mediations import error, ok, party_ids, refused, year

pytestmark = pytest.mark.django_db

URL = "/api/confirmations/"


def at(confirmation_id: int, action: str = "") -> str:
    return f"{URL}{confirmation_id}/{action}/" if action else f"{URL}{confirmation_id}/"


def agreed(mediation: Mediation, judge, invitee=None) -> Mediation:
    """Accepted (if it is not yet), in session and agreed, the agreement in force from today."""
    if mediation.state == "proposed":
        deliver_pending()
        invitation_accept(invitation_id=mediation.invitations.get().pk, actor=invitee)
        deliver_pending()
    schedule(mediation, judge)
    agree(mediation, judge)
    mediation.refresh_from_db()
    assert mediation.state == "agreed"
    return mediation


def apply_payload(mediation: Mediation, court: str = "wujiang", **overrides) -> dict:
    payload = {"mediation": mediation.pk, "court": court, "applicants": party_ids(mediation.pk)}
    payload.update(overrides)
    return payload


def name_of(code: str) -> str:
    return Court.objects.get(code=code).name_zh


@pytest.fixture
def fenhu(api_as, fenhu_judge):
    return api_as(fenhu_judge)


@pytest.fixture
def headline(fenhu_judge, xitang_judge) -> Mediation:
    """Agreed at Fenhu with Xitang: the parties may now apply."""
    mediation = accepted(fenhu_judge, xitang_judge)
    return agreed(mediation, fenhu_judge)


@pytest.fixture
def applied(headline, fenhu) -> int:
    """Both parties applied to Wujiang."""
    return ok(fenhu.post(URL, apply_payload(headline), format="json"), 201)["id"]


@pytest.fixture
def registrar(api_as, wujiang_filing):
    return api_as(wujiang_filing)


@pytest.fixture
def registered(applied, registrar) -> int:
    ok(registrar.post(at(applied, "register")))
    return applied


@pytest.fixture
def judge(api_as, wujiang_judge):
    """A judge of Wujiang's court (at no tribunal): decides the confirmation."""
    return api_as(wujiang_judge)


@pytest.fixture
def confirmed(registered, judge) -> int:
    ok(judge.post(at(registered, "confirm")))
    return registered


class TestApplying:
    def test_all_parties_apply_together_to_a_competent_court(self, headline, fenhu):
        body = ok(fenhu.post(URL, apply_payload(headline), format="json"), 201)

        assert (body["state"], body["court"], body["mediation"], body["mediation_number"]) == (
            "applied",
            "wujiang",
            headline.pk,
            headline.number,
        )
        assert body["competent_courts"] == ["wujiang", "jiashan"]
        assert (body["case_number"], body["due_at"], body["target_at"], body["elapsed"]) == (
            None,
            None,
            None,
            None,
        )
        assert sorted(party["id"] for party in body["applicants"]) == party_ids(headline.pk)
        assert body["agreement"]["state"] == "in_force"
        assert [(e["action"], e["from_state"], e["to_state"]) for e in body["timeline"]] == [
            ("confirmation.apply", "", "applied")
        ]
        assert [c["id"] for c in ok(fenhu.get(f"/api/mediations/{headline.pk}/"))["confirmations"]] == [
            body["id"]
        ]

    def test_jiashan_is_competent_as_the_defendants_domicile_and_a_mediators_seat(self, headline, fenhu):
        body = ok(fenhu.post(URL, apply_payload(headline, "jiashan"), format="json"), 201)

        assert body["court"] == "jiashan"

    def test_one_party_alone_cannot_apply(self, headline, fenhu):
        body = refused(
            fenhu.post(URL, apply_payload(headline, applicants=party_ids(headline.pk)[:1]), format="json"),
            "applicants",
        )

        assert "嘉善县某纺织品有限公司" in body["fields"]["applicants"][0]  # the party missing is named
        assert not Confirmation.objects.exists()

    def test_only_parties_of_the_mediation_apply(self, headline, fenhu):
        refused(
            fenhu.post(
                URL, apply_payload(headline, applicants=[*party_ids(headline.pk), 999_999]), format="json"
            ),
            "applicants",
        )

        assert not Confirmation.objects.exists()

    def test_a_court_that_is_not_competent_is_refused_with_the_competent_ones_named(self, headline, fenhu):
        before = Event.objects.count()

        body = refused(fenhu.post(URL, apply_payload(headline, "qingpu"), format="json"), "court")

        message = body["fields"]["court"][0]
        assert name_of("wujiang") in message and name_of("jiashan") in message
        assert message.startswith(name_of("qingpu"))
        assert not Confirmation.objects.exists()
        assert Event.objects.count() == before

    def test_the_court_where_the_property_lies_is_competent_too(
        self, fenhu_judge, xitang_judge, fenhu, courts
    ):
        mediation, _code = open_headline(fenhu_judge, property_court=courts["qingpu"])
        mediation = agreed(mediation, fenhu_judge, xitang_judge)

        body = ok(fenhu.post(URL, apply_payload(mediation, "qingpu"), format="json"), 201)

        assert body["court"] == "qingpu"
        assert sorted(body["competent_courts"]) == ["jiashan", "qingpu", "wujiang"]

    def test_a_party_living_in_qingpu_makes_qingpu_competent(self, fenhu_judge, xitang_judge, fenhu):
        parties = headline_parties()
        parties[1].address = "上海市青浦区朱家角镇漕平路1号"
        mediation, _code = open_headline(fenhu_judge, origin=Origin(parties=parties))
        mediation = agreed(mediation, fenhu_judge, xitang_judge)

        body = ok(fenhu.post(URL, apply_payload(mediation, "qingpu"), format="json"), 201)

        assert body["competent_courts"] == ["wujiang", "qingpu", "jiashan"]

    def test_a_mediation_of_a_filing_wujiang_diverted_goes_to_wujiang_alone(
        self, fenhu_judge, xitang_judge, fenhu, diverted
    ):
        mediation, _code = mediation_open(
            actor=fenhu_judge,
            lead_tribunal=tribunal("fenhu"),
            invited_tribunals=[tribunal("xitang")],
            origin=Origin(filing_id=diverted.pk),
            consent=True,
        )
        mediation = agreed(mediation, fenhu_judge, xitang_judge)

        body = refused(fenhu.post(URL, apply_payload(mediation, "jiashan"), format="json"), "court")
        assert name_of("wujiang") in body["fields"]["court"][0]
        assert name_of("qingpu") not in body["fields"]["court"][0]

        created = ok(fenhu.post(URL, apply_payload(mediation, "wujiang"), format="json"), 201)
        assert created["competent_courts"] == ["wujiang"]

    def test_after_the_30_days_the_application_is_refused_with_the_date_it_lapsed(
        self, fenhu_judge, xitang_judge, fenhu
    ):
        mediation = accepted(fenhu_judge, xitang_judge)
        long_ago = timezone.now() - dt.timedelta(days=60)
        Mediation.objects.filter(pk=mediation.pk).update(created_at=long_ago)
        schedule(mediation, fenhu_judge)
        signed = long_ago + dt.timedelta(days=5)
        agreement = agree(
            mediation,
            fenhu_judge,
            signatures=[
                SignatureInput(party=pk, signed_at=signed, method="electronic")
                for pk in party_ids(mediation.pk)
            ],
            effective_on=timezone.localtime(signed).date(),
        )
        lapsed_on = application_deadline(agreement)
        assert lapsed_on < timezone.localdate()

        body = refused(fenhu.post(URL, apply_payload(mediation), format="json"), "mediation")

        assert lapsed_on.isoformat() in body["fields"]["mediation"][0]
        assert agreement.effective_on.isoformat() in body["fields"]["mediation"][0]
        assert not Confirmation.objects.exists()

    def test_a_mediation_not_agreed_cannot_be_confirmed(self, fenhu_judge, xitang_judge, fenhu):
        mediation = accepted(fenhu_judge, xitang_judge)

        refused(fenhu.post(URL, apply_payload(mediation), format="json"), "mediation")

        assert not Confirmation.objects.exists()

    def test_the_parties_apply_once_at_a_time(self, applied, headline, fenhu):
        refused(fenhu.post(URL, apply_payload(headline, "jiashan"), format="json"), "mediation")

        assert Confirmation.objects.count() == 1

    def test_the_application_reaches_the_filing_clerks_of_the_court_applied_to(
        self, headline, fenhu, jiashan_filing
    ):
        ok(fenhu.post(URL, apply_payload(headline, "jiashan"), format="json"), 201)

        assert deliver_pending() >= 1

        notice = Notification.objects.get(recipient=jiashan_filing)
        assert headline.number in notice.title and notice.court.code == "jiashan"


class TestRegistering:
    def test_a_wujiang_filing_clerk_registers_it_as_a_min_te_case(self, applied, registrar):
        body = ok(registrar.post(at(applied, "register")))

        confirmation = Confirmation.objects.get(pk=applied)
        assert (body["state"], body["case_number"]) == ("registered", f"（{year()}）苏0509民特1号")
        assert (
            dt.datetime.fromisoformat(body["due_at"])
            == compute_deadline(confirmation.registered_at, 30, "days").due
        )
        assert (
            dt.datetime.fromisoformat(body["target_at"])
            == compute_deadline(confirmation.registered_at, 15, "days").due
        )
        assert body["due_at"].endswith("+08:00")
        assert [(e["action"], e["from_state"], e["to_state"]) for e in body["timeline"]][-1] == (
            "confirmation.register",
            "applied",
            "registered",
        )
        assert sorted(confirmation.case.parties.values_list("name", flat=True)) == sorted(
            MediationParty.objects.filter(mediation=confirmation.mediation).values_list("name", flat=True)
        )
        case = ok(registrar.get(f"/api/cases/{confirmation.case_id}/"))
        assert (case["case_number"], case["case_type"], case["court"]) == (
            body["case_number"],
            "民特",
            "wujiang",
        )
        assert [(link["kind"], link["id"]) for link in case["linked_records"]] == [("confirmation", applied)]

    def test_a_jiashan_clerk_sees_it_but_may_not_register_it(self, applied, api_as, jiashan_filing):
        jiashan = api_as(jiashan_filing)
        assert ok(jiashan.get(at(applied)))["state"] == "applied"

        error(jiashan.post(at(applied, "register")), 403, "permission_denied")

        assert Confirmation.objects.get(pk=applied).state == "applied"

    def test_it_is_registered_once(self, registered, registrar):
        error(registrar.post(at(registered, "register")), 409, "invalid_transition")

        assert Confirmation.objects.get(pk=registered).case.number == f"（{year()}）苏0509民特1号"

    def test_supplements_are_asked_for_with_a_deadline_and_then_it_is_registered(self, applied, registrar):
        deadline = timezone.localdate() + dt.timedelta(days=10)

        body = ok(
            registrar.post(
                at(applied, "request-supplement"),
                {"items": ["调解协议原件", "双方身份证明"], "deadline": deadline.isoformat()},
                format="json",
            )
        )

        assert (body["state"], body["supplement_items"], body["supplement_deadline"]) == (
            "supplement_requested",
            ["调解协议原件", "双方身份证明"],
            deadline.isoformat(),
        )
        assert ok(registrar.post(at(applied, "register")))["state"] == "registered"

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            pytest.param({"items": [], "deadline": 10}, "items", id="no-items"),
            pytest.param({"items": ["  "], "deadline": 10}, "items.0", id="blank-item"),
            pytest.param({"items": ["原件"], "deadline": 0}, "deadline", id="deadline-today"),
            pytest.param({"items": ["原件"], "deadline": 31}, "deadline", id="deadline-too-far"),
            pytest.param({"items": ["原件"]}, "deadline", id="no-deadline"),
        ],
    )
    def test_a_bad_supplement_request_is_a_400_naming_the_field(self, applied, registrar, payload, field):
        payload = dict(payload)
        if "deadline" in payload:
            payload["deadline"] = (timezone.localdate() + dt.timedelta(days=payload["deadline"])).isoformat()

        refused(registrar.post(at(applied, "request-supplement"), payload, format="json"), field)

        assert Confirmation.objects.get(pk=applied).state == "applied"


class TestDeciding:
    def test_a_wujiang_judge_confirms_it(self, registered, judge):
        assert ok(judge.get(at(registered)))["elapsed"] is None

        body = ok(judge.post(at(registered, "confirm")))

        assert body["state"] == "confirmed" and body["decided_at"] is not None
        assert isinstance(body["elapsed"], int) and body["elapsed"] >= 0
        assert body["elapsed_detail"]["seconds"] == body["elapsed"]
        assert [(e["action"], e["from_state"], e["to_state"]) for e in body["timeline"]][-1] == (
            "confirmation.confirm",
            "registered",
            "confirmed",
        )

    def test_elapsed_runs_from_the_complaint_at_the_window_to_the_ruling(
        self, fenhu_judge, xitang_judge, fenhu, diverted, registrar, judge
    ):
        mediation, _code = mediation_open(
            actor=fenhu_judge,
            lead_tribunal=tribunal("fenhu"),
            invited_tribunals=[tribunal("xitang")],
            origin=Origin(filing_id=diverted.pk),
            consent=True,
        )
        mediation = agreed(mediation, fenhu_judge, xitang_judge)
        confirmation_id = ok(fenhu.post(URL, apply_payload(mediation), format="json"), 201)["id"]
        ok(registrar.post(at(confirmation_id, "register")))

        body = ok(judge.post(at(confirmation_id, "confirm")))

        complaint = Event.objects.get(action="filing.submit", subject_id=diverted.pk).created_at
        ruling = Event.objects.get(action="confirmation.confirm").created_at
        detail = body["elapsed_detail"]
        assert dt.datetime.fromisoformat(detail["started_at"]) == complaint
        assert dt.datetime.fromisoformat(detail["ended_at"]) == ruling
        assert body["elapsed"] == int((ruling - complaint).total_seconds())
        assert [step["key"] for step in detail["steps"]] == [
            "opened",
            "accepted",
            "agreed",
            "applied",
            "registered",
            "decided",
        ]
        assert sum(step["seconds"] for step in detail["steps"]) <= body["elapsed"]

    @pytest.mark.parametrize("persona", ["wujiang_filing", "xitang_judge", "jiashan_filing"])
    def test_only_a_judge_of_the_court_applied_to_decides(self, registered, api_as, request, persona):
        client = api_as(request.getfixturevalue(persona))

        for action, body in (("confirm", {}), ("reject", {"grounds": "违反法律强制性规定"})):
            error(client.post(at(registered, action), body, format="json"), 403, "permission_denied")

        assert Confirmation.objects.get(pk=registered).state == "registered"

    def test_nothing_is_decided_before_registration(self, applied, judge):
        body = error(judge.post(at(applied, "confirm")), 409, "invalid_transition")

        assert "registered" in body["fields"]["allowed_transitions"]
        assert Confirmation.objects.get(pk=applied).state == "applied"

    def test_a_rejection_needs_its_grounds(self, registered, judge):
        refused(judge.post(at(registered, "reject"), {}, format="json"), "grounds")
        refused(judge.post(at(registered, "reject"), {"grounds": "  "}, format="json"), "grounds")

        assert Confirmation.objects.get(pk=registered).state == "registered"

    def test_not_accepting_needs_its_grounds(self, applied, registrar):
        refused(registrar.post(at(applied, "not-accept"), {}, format="json"), "grounds")

        assert Confirmation.objects.get(pk=applied).state == "applied"

    def test_a_judge_rejects_it_with_grounds(self, registered, judge):
        body = ok(judge.post(at(registered, "reject"), {"grounds": "协议内容不明确"}, format="json"))

        assert (body["state"], body["grounds"]) == ("rejected", "协议内容不明确")
        assert isinstance(body["elapsed"], int)

    def test_before_registration_a_filing_clerk_does_not_accept_it(self, applied, registrar):
        body = ok(registrar.post(at(applied, "not-accept"), {"grounds": "涉及身份关系"}, format="json"))

        assert body["state"] == "not_accepted"

    def test_after_registration_a_ground_for_not_accepting_leads_to_rejection(self, registered, judge):
        """Interp 355 para. 2: once accepted, the court rejects (驳回) on such a ground; "not accepted" is a
        decision at registration."""
        body = error(
            judge.post(at(registered, "not-accept"), {"grounds": "涉及身份关系"}, format="json"),
            409,
            "invalid_transition",
        )
        assert body["fields"]["allowed_transitions"] == ["confirmed", "rejected", "withdrawn"]
        assert ok(judge.post(at(registered, "reject"), {"grounds": "涉及身份关系"}, format="json"))[
            "state"
        ] == ("rejected")

    def test_a_decided_confirmation_stays_decided(self, confirmed, judge, registrar):
        for client, action, body in (
            (judge, "reject", {"grounds": "改判"}),
            (judge, "not-accept", {"grounds": "改判"}),
            (registrar, "withdraw", {}),
        ):
            error(client.post(at(confirmed, action), body, format="json"), 409, "invalid_transition")

        assert Confirmation.objects.get(pk=confirmed).state == "confirmed"

    def test_the_applicants_withdraw_it(self, registered, registrar, judge):
        # Registered, the court allows it by ruling (准许撤回, Interp 357): its judge, not the filing clerk.
        error(
            registrar.post(at(registered, "withdraw"), {"reason": "双方已自动履行"}, format="json"),
            403,
            "permission_denied",
        )
        body = ok(judge.post(at(registered, "withdraw"), {"reason": "双方已自动履行"}, format="json"))

        assert body["state"] == "withdrawn"
        assert body["elapsed"] is None  # a withdrawal is no ruling
        error(registrar.post(at(registered, "register")), 409, "invalid_transition")

    def test_after_a_rejection_only_a_new_agreement_may_be_applied_for(
        self, registered, judge, headline, fenhu, fenhu_judge
    ):
        """CPL 206: a rejected party may change the agreement, reach a new one, or sue; the same agreement
        does not come back."""
        ok(judge.post(at(registered, "reject"), {"grounds": "非自愿"}, format="json"))
        refused(fenhu.post(URL, apply_payload(headline, "jiashan"), format="json"), "mediation")

        old = headline.agreements.get()
        agree(headline, fenhu_judge, reason="按法院意见修改协议内容", replaces=old.pk)
        ok(fenhu.post(URL, apply_payload(headline, "jiashan"), format="json"), 201)

        assert Confirmation.objects.count() == 2


class TestEnforcement:
    def test_a_confirmed_ruling_starts_an_enforcement_filing_at_wujiang(self, confirmed, registrar, headline):
        body = ok(registrar.post(at(confirmed, "start-enforcement")), 201)

        filing = Filing.objects.get(pk=body["id"])
        assert (body["receipt_number"], body["jurisdiction_court"]) == (filing.receipt_number, "wujiang")
        assert (filing.category, filing.collaborating_court.code, filing.jurisdiction_court.code) == (
            "enforcement",
            "wujiang",
            "wujiang",
        )
        assert filing.claim_amount == headline.agreements.get().amount
        parties = MediationParty.objects.filter(mediation=headline).order_by("position", "id")
        assert [(p.name, p.role, p.id_number_lookup) for p in filing.parties.order_by("position", "id")] == [
            (p.name, p.role, p.id_number_lookup) for p in parties
        ]
        shown = ok(registrar.get(at(confirmed)))
        assert shown["enforcement_filing"] == {"id": filing.pk, "receipt_number": filing.receipt_number}
        deliver_pending()
        in_inbox = ok(registrar.get(f"/api/filings/{filing.pk}/"))
        assert in_inbox["state"] == "received"
        assert [(link["kind"], link["id"]) for link in in_inbox["linked_records"]] == [
            ("confirmation", confirmed)
        ]

    def test_enforcement_is_started_once(self, confirmed, registrar):
        ok(registrar.post(at(confirmed, "start-enforcement")), 201)

        refused(registrar.post(at(confirmed, "start-enforcement")), "state")

        assert Filing.objects.filter(category="enforcement").count() == 1

    def test_nothing_is_enforced_before_the_ruling(self, registered, registrar):
        refused(registrar.post(at(registered, "start-enforcement")), "state")

        assert not Filing.objects.filter(category="enforcement").exists()

    def test_another_court_does_not_start_it(self, confirmed, api_as, jiashan_filing):
        error(api_as(jiashan_filing).post(at(confirmed, "start-enforcement")), 403, "permission_denied")

        assert not Filing.objects.filter(category="enforcement").exists()


class TestListing:
    def test_the_list_shows_each_confirmation_with_its_state_and_filters_by_it(
        self, registered, registrar, headline
    ):
        body = ok(registrar.get(URL))

        assert [(row["id"], row["state"], row["case_number"]) for row in body["results"]] == [
            (registered, "registered", f"（{year()}）苏0509民特1号")
        ]
        assert ok(registrar.get(URL, {"state": "applied"}))["results"] == []
        refused(registrar.get(URL, {"state": "pending"}), "state")

    def test_the_list_costs_the_same_queries_with_1_and_3_confirmations(
        self, fenhu_judge, xitang_judge, fenhu, registrar
    ):
        def apply_for_one() -> None:
            mediation = agreed(accepted(fenhu_judge, xitang_judge), fenhu_judge)
            confirmation = ok(fenhu.post(URL, apply_payload(mediation), format="json"), 201)
            ok(registrar.post(at(confirmation["id"], "register")))

        def queries() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as captured:
                body = ok(registrar.get(URL))
            return len(captured), body["count"]

        apply_for_one()
        with_one, count = queries()
        assert count == 1
        apply_for_one()
        apply_for_one()

        assert queries() == (with_one, 3)


class TestAllowedActions:
    """What the detail offers each user is what the endpoints let them do."""

    def test_at_application_the_court_applied_to_may_register_ask_refuse_or_record_a_withdrawal(
        self, applied, registrar, judge, api_as, xitang_judge
    ):
        expected = ["register", "request_supplement", "not_accept", "withdraw"]
        assert ok(registrar.get(at(applied)))["allowed_actions"] == expected
        assert ok(judge.get(at(applied)))["allowed_actions"] == expected
        assert ok(api_as(xitang_judge).get(at(applied)))["allowed_actions"] == []

    def test_once_registered_only_its_judges_decide(self, registered, registrar, judge, api_as, xitang_judge):
        # Once registered, a withdrawal is allowed by ruling (Interp 357): the judges'.
        assert ok(registrar.get(at(registered)))["allowed_actions"] == []
        assert ok(judge.get(at(registered)))["allowed_actions"] == ["confirm", "reject", "withdraw"]
        assert ok(api_as(xitang_judge).get(at(registered)))["allowed_actions"] == []

    def test_once_confirmed_enforcement_may_start_once(self, confirmed, registrar):
        assert ok(registrar.get(at(confirmed)))["allowed_actions"] == ["start_enforcement"]

        ok(registrar.post(at(confirmed, "start-enforcement")), 201)

        assert ok(registrar.get(at(confirmed)))["allowed_actions"] == []
