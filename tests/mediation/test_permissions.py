"""Who sees and who does what in a joint mediation, for judges and clerks of all three courts (issue 8, "Who
may do what"). The scene is the headline mediation: led by Fenhu (Wujiang), inviting Xitang (Jiashan).

- Wujiang takes part as the lead court and Jiashan as the invited court: their judges and clerks see it
  (detail 200, in their list); Qingpu has no part: 404 on every endpoint of the mediation, its sessions and
  its confirmation, and an empty list.
- Only the Xitang judge answers Xitang's invitation; judges of Fenhu and of Xitang (once it accepted) run
  the mediation (sessions, agreement, failure); only Fenhu's judges convert a failed one into a filing. The
  rest of those who see it get 403, and nothing changes.
- Unmasked identity data is for the mediators, each view logged.
"""

import datetime as dt

import pytest

from courts.models import Event, PersonalDataAccess
from mediation.models import Confirmation, Invitation, Mediation, MediationSession
from mediation.services.confirmations import confirmation_apply
from mediation.services.mediations import mediation_fail
from tests.cases.conftest import PLAINTIFF_ID, deliver_pending
from tests.mediation.conftest import accepted, agree, next_working_morning, open_headline, schedule
from tests.mediation.test_api_mediations import (
    agree_payload,
    at,
    error,
    ids,
    in_session,
    iso,
    ok,
    party_ids,
)

pytestmark = pytest.mark.django_db

JUDGES = ["fenhu_judge", "xitang_judge", "yaozhuang_judge", "zhujiajiao_judge"]
CLERKS = [
    "wujiang_clerk",
    "wujiang_filing",
    "qingpu_window",
    "qingpu_clerk",
    "jiashan_window",
    "jiashan_filing",
]
PERSONAS = [*JUDGES, *CLERKS]
# Wujiang (the lead court) and Jiashan (the invited court) take part; Qingpu does not.
SEES = {
    "fenhu_judge",
    "xitang_judge",
    "yaozhuang_judge",
    "wujiang_clerk",
    "wujiang_filing",
    "jiashan_window",
    "jiashan_filing",
}
NO_PART = ["zhujiajiao_judge", "qingpu_window", "qingpu_clerk", "outsider"]


@pytest.fixture
def everyone(request, fenhu_judge, xitang_judge):
    """Every persona made up front (so the scenes can name them), by fixture name."""
    return {name: request.getfixturevalue(name) for name in [*PERSONAS, "outsider"]}


def client_of(api_as, everyone, name: str):
    return api_as(everyone[name])


def proposed_headline(fenhu_judge) -> Mediation:
    mediation, _code = open_headline(fenhu_judge)
    deliver_pending()
    return mediation


def session_payload() -> dict:
    start = next_working_morning()
    return {
        "starts_at": iso(start),
        "ends_at": iso(start + dt.timedelta(hours=2)),
        "mode": "in_person",
        "tribunal": "fenhu",
        "room": "第一调解室",
    }


# --- who sees it --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*PERSONAS, "outsider"])
def test_the_lead_and_invited_courts_see_it_and_the_rest_do_not(api_as, everyone, name):
    mediation = proposed_headline(everyone["fenhu_judge"])
    client = client_of(api_as, everyone, name)

    detail = client.get(at(mediation.pk))
    listed = ids(client.get("/api/mediations/"))

    if name in SEES:
        assert ok(detail)["number"] == mediation.number
        assert listed == {mediation.pk}
    else:
        error(detail, 404, "not_found")
        assert listed == set()


@pytest.mark.parametrize("name", [*PERSONAS, "outsider"])
def test_a_tribunal_that_declined_still_lets_its_court_see_it(api_as, everyone, name):
    """Visibility does not depend on the answer: Jiashan keeps seeing what it was invited to."""
    mediation = proposed_headline(everyone["fenhu_judge"])
    ok(
        api_as(everyone["xitang_judge"]).post(
            at(mediation.pk, "decline"), {"tribunal": "xitang", "reason": "无暇"}, format="json"
        )
    )
    deliver_pending()

    response = client_of(api_as, everyone, name).get(at(mediation.pk))

    assert response.status_code == (200 if name in SEES else 404)


# --- who acts -----------------------------------------------------------------------------------------------


def expect(response, allowed: bool, status: int = 200) -> None:
    if allowed:
        ok(response, status)
    else:
        error(response, 403, "permission_denied")


@pytest.mark.parametrize("name", sorted(SEES))
def test_only_the_xitang_judge_answers_xitangs_invitation(api_as, everyone, name):
    mediation = proposed_headline(everyone["fenhu_judge"])

    response = client_of(api_as, everyone, name).post(
        at(mediation.pk, "accept"), {"tribunal": "xitang"}, format="json"
    )

    expect(response, name == "xitang_judge")
    assert Invitation.objects.get(mediation=mediation).state == (
        "accepted" if name == "xitang_judge" else "received"
    )


@pytest.mark.parametrize("name", sorted(SEES))
def test_only_fenhu_and_the_accepting_xitang_schedule_a_session(api_as, everyone, name):
    mediation = accepted(everyone["fenhu_judge"], everyone["xitang_judge"])

    response = client_of(api_as, everyone, name).post(
        at(mediation.pk, "sessions"), session_payload(), format="json"
    )

    allowed = name in ("fenhu_judge", "xitang_judge")
    expect(response, allowed, 201)
    assert MediationSession.objects.filter(mediation=mediation).exists() is allowed


@pytest.mark.parametrize("name", sorted(SEES))
def test_only_fenhu_and_the_accepting_xitang_record_the_agreement(api_as, everyone, name):
    mediation = in_session(everyone["fenhu_judge"], everyone["xitang_judge"])

    response = client_of(api_as, everyone, name).post(
        at(mediation.pk, "agree"), agree_payload(mediation.pk), format="json"
    )

    allowed = name in ("fenhu_judge", "xitang_judge")
    expect(response, allowed)
    assert Mediation.objects.get(pk=mediation.pk).state == ("agreed" if allowed else "in_session")


@pytest.mark.parametrize("name", sorted(SEES))
def test_only_fenhu_and_the_accepting_xitang_end_it_as_failed(api_as, everyone, name):
    mediation = accepted(everyone["fenhu_judge"], everyone["xitang_judge"])

    response = client_of(api_as, everyone, name).post(
        at(mediation.pk, "fail"), {"reason": "调解不成"}, format="json"
    )

    allowed = name in ("fenhu_judge", "xitang_judge")
    expect(response, allowed)
    assert Mediation.objects.get(pk=mediation.pk).state == ("failed" if allowed else "accepted")


def test_a_judge_of_an_invited_tribunal_that_has_not_accepted_does_not_run_it(api_as, everyone):
    mediation = proposed_headline(everyone["fenhu_judge"])

    error(
        api_as(everyone["xitang_judge"]).post(
            at(mediation.pk, "fail"), {"reason": "调解不成"}, format="json"
        ),
        403,
        "permission_denied",
    )
    error(
        api_as(everyone["xitang_judge"]).post(at(mediation.pk, "withdraw"), {}, format="json"),
        403,
        "permission_denied",
    )

    assert Mediation.objects.get(pk=mediation.pk).state == "proposed"


@pytest.mark.parametrize("name", sorted(SEES))
def test_only_fenhu_converts_a_failed_mediation_into_a_filing(api_as, everyone, name):
    mediation = accepted(everyone["fenhu_judge"], everyone["xitang_judge"])
    mediation_fail(mediation_id=mediation.pk, actor=everyone["fenhu_judge"], reason="调解不成")

    response = client_of(api_as, everyone, name).post(at(mediation.pk, "convert-to-filing"))

    allowed = name == "fenhu_judge"
    expect(response, allowed, 201)
    assert (Mediation.objects.get(pk=mediation.pk).resulting_filing_id is not None) is allowed


@pytest.mark.parametrize("name", sorted(SEES))
def test_only_fenhu_invites_more_tribunals(api_as, everyone, name):
    mediation = proposed_headline(everyone["fenhu_judge"])

    response = client_of(api_as, everyone, name).post(
        at(mediation.pk, "invite"), {"tribunals": ["zhujiajiao"]}, format="json"
    )

    expect(response, name == "fenhu_judge")
    assert Invitation.objects.filter(mediation=mediation).count() == (2 if name == "fenhu_judge" else 1)


@pytest.mark.parametrize("name", sorted(SEES))
def test_the_mediators_and_the_staff_of_the_court_applied_to_record_the_application(api_as, everyone, name):
    mediation = in_session(everyone["fenhu_judge"], everyone["xitang_judge"])
    agree(mediation, everyone["fenhu_judge"])
    payload = {"mediation": mediation.pk, "court": "wujiang", "applicants": party_ids(mediation.pk)}

    response = client_of(api_as, everyone, name).post("/api/confirmations/", payload, format="json")

    allowed = name in ("fenhu_judge", "xitang_judge", "wujiang_clerk", "wujiang_filing")
    expect(response, allowed, 201)
    assert Confirmation.objects.exists() is allowed


@pytest.mark.parametrize("name", sorted(SEES))
def test_only_the_court_applied_to_registers_and_only_its_judges_confirm(api_as, everyone, name, courts):
    mediation = in_session(everyone["fenhu_judge"], everyone["xitang_judge"])
    agree(mediation, everyone["fenhu_judge"])
    confirmation = confirmation_apply(
        mediation_id=mediation.pk,
        actor=everyone["fenhu_judge"],
        court=courts["wujiang"],
        applicants=party_ids(mediation.pk),
    )
    client = client_of(api_as, everyone, name)
    url = f"/api/confirmations/{confirmation.pk}/"

    registers = name in ("fenhu_judge", "wujiang_filing")
    expect(client.post(url + "register/"), registers)
    if not registers:
        ok(api_as(everyone["wujiang_filing"]).post(url + "register/"))
    # The court's judges decide, but not a judge who mediated the agreement: the Fenhu judge (Wujiang's,
    # its mediator) may not, and no other persona here is a judge of Wujiang.
    expect(client.post(url + "confirm/"), False)
    assert Confirmation.objects.get(pk=confirmation.pk).state == "registered"


def test_the_actions_offered_follow_the_same_rules(api_as, everyone):
    mediation = accepted(everyone["fenhu_judge"], everyone["xitang_judge"])

    offered = {
        name: ok(client_of(api_as, everyone, name).get(at(mediation.pk)))["allowed_actions"]
        for name in sorted(SEES)
    }

    assert set(offered["fenhu_judge"]) >= {"invite", "schedule", "fail", "extend", "withdraw"}
    assert set(offered["xitang_judge"]) >= {"schedule", "fail", "extend", "withdraw"}
    assert "invite" not in offered["xitang_judge"]
    for name in SEES - {"fenhu_judge", "xitang_judge"}:
        assert offered[name] == [], name


# --- a court with no part: 404 on every endpoint ------------------------------------------------------------


@pytest.fixture
def full_scene(everyone, courts):
    """The headline mediation agreed, with a session (cancelled by the agreement) and a confirmation applied
    for at Wujiang: something behind every endpoint."""
    fenhu_judge = everyone["fenhu_judge"]
    mediation = accepted(fenhu_judge, everyone["xitang_judge"])
    session = schedule(mediation, fenhu_judge)
    agree(mediation, fenhu_judge)
    confirmation = confirmation_apply(
        mediation_id=mediation.pk,
        actor=fenhu_judge,
        court=courts["wujiang"],
        applicants=party_ids(mediation.pk),
    )
    deliver_pending()
    return {
        "mediation": mediation.pk,
        "party": party_ids(mediation.pk)[0],
        "session": session.pk,
        "confirmation": confirmation.pk,
    }


M = "/api/mediations/{mediation}/"
S = "/api/mediation-sessions/{session}/"
C = "/api/confirmations/{confirmation}/"
ENDPOINTS = [
    ("get", M, None),
    ("post", M + "accept/", {"tribunal": "zhujiajiao"}),
    ("post", M + "decline/", {"tribunal": "zhujiajiao", "reason": "无暇"}),
    ("post", M + "invite/", {"tribunals": ["zhujiajiao"]}),
    ("post", M + "cancel-invitation/", {"tribunal": "xitang"}),
    ("post", M + "sessions/", "session"),
    ("post", M + "agree/", "agreement"),
    ("post", M + "fail/", {"reason": "调解不成"}),
    ("post", M + "extend/", {"until": "2027-06-30", "reason": "延长"}),
    ("post", M + "withdraw/", {}),
    ("post", M + "convert-to-filing/", {}),
    ("post", M + "parties/{party}/reveal/", {}),
    ("get", S, None),
    ("post", S + "record/", {"minutes": "笔录", "attendance": []}),
    ("post", S + "reschedule/", "reschedule"),
    ("post", S + "cancel/", {"reason": "取消"}),
    ("get", C, None),
    ("post", C + "register/", {}),
    ("post", C + "request-supplement/", {"items": ["原件"], "deadline": "2027-01-10"}),
    ("post", C + "confirm/", {}),
    ("post", C + "reject/", {"grounds": "不明确"}),
    ("post", C + "not-accept/", {"grounds": "不属于受理范围"}),
    ("post", C + "withdraw/", {}),
    ("post", C + "start-enforcement/", {}),
    ("post", "/api/confirmations/", "application"),
]


def body_for(kind, scene: dict):
    if kind == "session" or kind == "reschedule":
        return {**session_payload(), "reason": "改期"}
    if kind == "agreement":
        return {**agree_payload(scene["mediation"]), "reason": "改约"}
    if kind == "application":
        return {
            "mediation": scene["mediation"],
            "court": "qingpu",
            "applicants": party_ids(scene["mediation"]),
        }
    return kind


@pytest.mark.parametrize("name", NO_PART)
@pytest.mark.parametrize(
    ("method", "path", "payload"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _payload in ENDPOINTS]
)
def test_a_court_with_no_part_gets_a_404_on_every_endpoint_and_nothing_changes(
    api_as, everyone, full_scene, name, method, path, payload
):
    client = client_of(api_as, everyone, name)
    before = (Event.objects.count(), Confirmation.objects.count(), PersonalDataAccess.objects.count())

    response = getattr(client, method)(
        path.format(**full_scene), body_for(payload, full_scene), format="json"
    )

    error(response, 404, "not_found")
    assert (Event.objects.count(), Confirmation.objects.count(), PersonalDataAccess.objects.count()) == before
    assert PLAINTIFF_ID not in response.content.decode()


@pytest.mark.parametrize("name", NO_PART)
@pytest.mark.parametrize("url", ["/api/mediations/", "/api/mediation-sessions/", "/api/confirmations/"])
def test_a_court_with_no_part_lists_none_of_it(api_as, everyone, full_scene, name, url):
    assert ok(client_of(api_as, everyone, name).get(url))["results"] == []


@pytest.mark.parametrize("name", sorted(SEES))
@pytest.mark.parametrize("url", ["/api/mediations/", "/api/mediation-sessions/", "/api/confirmations/"])
def test_the_courts_taking_part_list_all_of_it(api_as, everyone, full_scene, name, url):
    expected = {
        "/api/mediations/": "mediation",
        "/api/mediation-sessions/": "session",
        "/api/confirmations/": "confirmation",
    }

    assert ids(client_of(api_as, everyone, name).get(url)) == {full_scene[expected[url]]}


# --- the parties' identity: for the mediators, logged -------------------------------------------------------


def reveal(client, mediation_id: int, party_id: int):
    return client.post(at(mediation_id, f"parties/{party_id}/reveal"))


@pytest.mark.parametrize("name", ["fenhu_judge", "xitang_judge"])
def test_the_mediators_see_a_partys_id_number_and_phone_and_it_is_logged(api_as, everyone, name):
    mediation = accepted(everyone["fenhu_judge"], everyone["xitang_judge"])
    plaintiff = party_ids(mediation.pk)[0]

    body = ok(reveal(client_of(api_as, everyone, name), mediation.pk, plaintiff))

    assert body == {"id_number": PLAINTIFF_ID, "phone": "13812345678"}
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.subject_type, access.subject_id, access.fields) == (
        everyone[name],
        "mediation.mediationparty",
        plaintiff,
        "id_number,phone",
    )


@pytest.mark.parametrize("name", ["wujiang_clerk", "wujiang_filing", "jiashan_window", "yaozhuang_judge"])
def test_staff_who_only_see_the_mediation_get_a_403_and_nothing_is_logged(api_as, everyone, name):
    mediation = accepted(everyone["fenhu_judge"], everyone["xitang_judge"])

    response = reveal(client_of(api_as, everyone, name), mediation.pk, party_ids(mediation.pk)[0])

    error(response, 403, "permission_denied")
    assert PLAINTIFF_ID not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_the_invited_judge_sees_no_identity_before_accepting(api_as, everyone):
    mediation = proposed_headline(everyone["fenhu_judge"])

    error(
        reveal(api_as(everyone["xitang_judge"]), mediation.pk, party_ids(mediation.pk)[0]),
        403,
        "permission_denied",
    )

    assert not PersonalDataAccess.objects.exists()


def test_a_party_of_another_mediation_is_not_found_through_this_one(api_as, everyone):
    ours = accepted(everyone["fenhu_judge"], everyone["xitang_judge"])
    other, _code = open_headline(everyone["fenhu_judge"])

    error(reveal(api_as(everyone["fenhu_judge"]), ours.pk, party_ids(other.pk)[0]), 404, "not_found")

    assert not PersonalDataAccess.objects.exists()


def test_once_the_mediation_has_ended_its_mediators_see_masked_data_only(api_as, everyone):
    mediation = accepted(everyone["fenhu_judge"], everyone["xitang_judge"])
    mediation_fail(mediation_id=mediation.pk, actor=everyone["fenhu_judge"], reason="调解不成")

    error(
        reveal(api_as(everyone["fenhu_judge"]), mediation.pk, party_ids(mediation.pk)[0]),
        403,
        "permission_denied",
    )

    assert not PersonalDataAccess.objects.exists()
