"""The joint-mediation pages through the test client: the Fenhu judge opens a mediation (parties entered, a
diverted filing, a case) and sees the query code once; Xitang's judge finds the invitation on the home page
and the invitations page and answers it; every action form on the mediation's page changes the record
through its service; bad input comes back on its field (400) with nothing saved; a refusal is a message;
the judicial confirmation's page and its actions; the lists keep a fixed number of queries; a court with no
part (Qingpu, the Zhujiajiao judge) finds nothing at all."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Filing
from cases.services.filings import filing_divert_to_mediation
from courts import query_codes
from courts.legal_calendar import COURT_TZ
from courts.models import Event, PersonalDataAccess
from mediation.models import (
    Agreement,
    Confirmation,
    Extension,
    Invitation,
    Mediation,
    MediationParty,
    MediationSession,
)
from mediation.services.confirmations import confirmation_apply, confirmation_register
from mediation.services.mediations import mediation_fail
from tests.cases.conftest import PLAINTIFF_ID, deliver_pending, make_case, submit
from tests.conftest import make_staff
from tests.mediation.conftest import (
    accepted,
    agree,
    next_working_morning,
    open_headline,
    schedule,
    tribunal,
)

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def local_input(moment: dt.datetime) -> str:
    """A time as a datetime-local input sends it."""
    return moment.astimezone(COURT_TZ).strftime("%Y-%m-%dT%H:%M")


def logged_in(client, user):
    client.force_login(user)
    return client


def opened(judge) -> Mediation:
    """Opened by Fenhu and received at Jiashan: waiting for Xitang's answer."""
    mediation, _code = open_headline(judge)
    deliver_pending()
    return mediation


def in_session(fenhu_judge, xitang_judge, *, start=None) -> tuple[Mediation, MediationSession]:
    """Accepted and a session scheduled. Opened a day ago: a signature typed to the minute on the page
    (datetime-local) must not predate the mediation."""
    mediation = accepted(fenhu_judge, xitang_judge)
    Mediation.objects.filter(pk=mediation.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    session = schedule(mediation, fenhu_judge, start=start)
    deliver_pending()
    mediation.refresh_from_db()
    return mediation, session


def new_form(courts, **overrides) -> dict:
    data = {
        "filing": "",
        "case": "",
        "invited_tribunals": [str(tribunal("xitang").pk)],
        "cause": "买卖合同纠纷",
        "claim_amount": "1280000",
        "jurisdiction_court": str(courts["wujiang"].pk),
        "property_court": "",
        "materials": "起诉状\n证据目录",
        "consent": "on",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "2",
        "parties-MAX_NUM_FORMS": "50",
        "parties-0-role": "plaintiff",
        "parties-0-kind": "person",
        "parties-0-name": "沈建国",
        "parties-0-id_number": PLAINTIFF_ID,
        "parties-0-phone": "13812345678",
        "parties-0-address": "江苏省苏州市吴江区黎里镇汾湖大道88号",
        "parties-1-role": "defendant",
        "parties-1-kind": "organisation",
        "parties-1-name": "嘉善县某纺织品有限公司",
        "parties-1-id_number": "",
        "parties-1-phone": "0573-84000000",
        "parties-1-address": "浙江省嘉兴市嘉善县西塘镇工业园区",
    }
    data.update(overrides)
    return data


def agreement_form(mediation, **overrides) -> dict:
    parties = list(MediationParty.objects.filter(mediation=mediation).order_by("position", "id"))
    signed = local_input(timezone.now() - dt.timedelta(minutes=5))
    today = timezone.localdate()
    data = {
        "terms": "一、被告于三十日内支付货款80万元；二、余款48万元于九十日内付清。",
        "amount": "1280000",
        "effective_on": today.isoformat(),
        "payments-TOTAL_FORMS": "3",
        "payments-INITIAL_FORMS": "0",
        "payments-MIN_NUM_FORMS": "0",
        "payments-MAX_NUM_FORMS": "120",
        "payments-0-due_on": (today + dt.timedelta(days=30)).isoformat(),
        "payments-0-amount": "800000",
        "payments-1-due_on": (today + dt.timedelta(days=90)).isoformat(),
        "payments-1-amount": "480000",
        "payments-2-due_on": "",
        "payments-2-amount": "",
        "signatures-TOTAL_FORMS": str(len(parties)),
        "signatures-INITIAL_FORMS": str(len(parties)),
        "signatures-MIN_NUM_FORMS": "0",
        "signatures-MAX_NUM_FORMS": "50",
    }
    for index, party in enumerate(parties):
        data[f"signatures-{index}-party"] = str(party.pk)
        data[f"signatures-{index}-signed_at"] = signed
        data[f"signatures-{index}-method"] = "handwritten" if index == 0 else "electronic"
    data.update(overrides)
    return data


# --- Who sees the pages -----------------------------------------------------------------------------------


class TestWhoSeesWhat:
    @pytest.mark.parametrize("persona", ["fenhu_judge", "xitang_judge", "wujiang_clerk"])
    def test_the_mediation_and_its_lists_render_for_the_courts_taking_part(
        self, request, client, persona, fenhu_judge, xitang_judge
    ):
        mediation, session = in_session(fenhu_judge, xitang_judge)
        logged_in(client, request.getfixturevalue(persona))

        page = html(client.get(f"/mediations/{mediation.pk}/"))
        assert mediation.number in page and "沈建国" in page
        assert "3205**********1239" in page and PLAINTIFF_ID not in page
        listing = html(client.get("/mediations/?whose=all"))
        assert mediation.number in listing
        week = client.get(f"/mediations/calendar/fenhu/?week={session.starts_at.date().isoformat()}")
        assert week.status_code == 200 and mediation.number in html(week)
        assert client.get("/mediations/invitations/").status_code == 200
        assert client.get("/confirmations/").status_code == 200

    @pytest.mark.parametrize("persona", ["qingpu_clerk", "zhujiajiao_judge"])
    def test_a_court_with_no_part_finds_nothing(self, request, client, persona, fenhu_judge, xitang_judge):
        mediation, session = in_session(fenhu_judge, xitang_judge)
        agreed = agree(mediation, fenhu_judge)
        confirmation = confirmation_apply(
            mediation_id=mediation.pk,
            actor=fenhu_judge,
            court=agreed.mediation.lead_court,
            applicants=list(mediation.parties.values_list("pk", flat=True)),
        )
        party = mediation.parties.first()
        logged_in(client, request.getfixturevalue(persona))

        for url in (f"/mediations/{mediation.pk}/", f"/confirmations/{confirmation.pk}/"):
            assert client.get(url).status_code == 404
        posts = [
            f"/mediations/{mediation.pk}/fail/",
            f"/mediations/{mediation.pk}/parties/{party.pk}/reveal/",
            f"/mediation-sessions/{session.pk}/cancel/",
            f"/confirmations/{confirmation.pk}/register/",
        ]
        for url in posts:
            assert client.post(url, {"reason": "x"}).status_code == 404
        for url in (
            "/mediations/?whose=all",
            "/confirmations/",
            f"/mediations/calendar/fenhu/?week={session.starts_at.date()}",
        ):
            assert mediation.number not in html(client.get(url))
        assert not PersonalDataAccess.objects.exists()
        assert Confirmation.objects.get().state == "applied"

    def test_an_account_of_no_court_sees_no_calendar(self, client, outsider):
        logged_in(client, outsider)
        assert client.get("/mediations/calendar/").status_code == 404
        assert client.get("/mediations/calendar/fenhu/").status_code == 404

    def test_the_pages_need_a_login(self, client, fenhu_judge):
        mediation = opened(fenhu_judge)
        response = client.get(f"/mediations/{mediation.pk}/")
        assert response.status_code == 302 and "/accounts/login/" in response.url

    def test_the_nav_links_to_mediations_for_judges_and_clerks_only(
        self, client, fenhu_judge, wujiang_clerk, courts
    ):
        officer = make_staff("wujiang.officer", "wujiang", ["officer"])
        for user, shown in ((fenhu_judge, True), (wujiang_clerk, True), (officer, False)):
            logged_in(client, user)
            assert ('data-testid="nav-mediations"' in html(client.get("/"))) is shown


# --- Opening a mediation --------------------------------------------------------------------------------


class TestOpening:
    def test_the_fenhu_judge_opens_one_with_parties_entered_and_sees_the_query_code_once(
        self, client, fenhu_judge, xitang_judge, courts
    ):
        logged_in(client, fenhu_judge)
        assert client.get("/mediations/new/").status_code == 200
        response = client.post("/mediations/new/", new_form(courts))

        mediation = Mediation.objects.get()
        assert response.status_code == 302 and response.url == f"/mediations/{mediation.pk}/"
        assert (mediation.lead_tribunal.code, mediation.origin, mediation.state) == (
            "fenhu",
            "direct",
            "proposed",
        )
        assert mediation.materials == ["起诉状", "证据目录"]
        assert [p.name for p in mediation.parties.order_by("position")] == [
            "沈建国",
            "嘉善县某纺织品有限公司",
        ]
        assert [i.tribunal.code for i in mediation.invitations.all()] == ["xitang"]
        page = html(client.get(response.url))
        code = page.split('data-testid="query-code">')[1].split("<")[0]
        assert query_codes.matches(code, mediation.query_code_hash)[0]
        assert 'data-testid="query-code"' not in html(client.get(response.url))

    def test_it_opens_one_from_a_diverted_filing_with_nothing_retyped(self, client, fenhu_judge, courts):
        window = make_staff("qingpu.window", "qingpu", ["window_clerk"])
        clerk = make_staff("wujiang.filing", "wujiang", ["filing_clerk"])
        filing, _code = submit(window, courts, jurisdiction_court="wujiang")
        deliver_pending()
        filing_divert_to_mediation(filing_id=filing.pk, actor=clerk)
        logged_in(client, fenhu_judge)

        assert filing.receipt_number in html(client.get("/mediations/new/"))  # offered as waiting
        form = html(client.get(f"/mediations/new/?filing={filing.pk}"))
        assert filing.receipt_number in form and "张三" in form and "3205**********1239" in form
        assert 'name="cause"' not in form and 'name="parties-TOTAL_FORMS"' not in form
        response = client.post(
            "/mediations/new/",
            {"filing": filing.pk, "invited_tribunals": [tribunal("zhujiajiao").pk], "consent": "on"},
        )

        mediation = Mediation.objects.get()
        assert response.status_code == 302
        assert (mediation.origin_filing_id, mediation.cause, mediation.claim_amount) == (
            filing.pk,
            filing.cause,
            filing.claim_amount,
        )
        assert [p.source_id for p in mediation.parties.order_by("position")] == list(
            filing.parties.order_by("position").values_list("pk", flat=True)
        )
        assert filing.receipt_number in html(client.get(response.url))

    def test_it_opens_one_from_a_case_of_its_court(self, client, fenhu_judge, courts):
        case = make_case("wujiang")
        logged_in(client, fenhu_judge)
        assert case.number in html(client.get(f"/mediations/new/?case={case.pk}"))
        response = client.post(
            "/mediations/new/",
            {"case": case.pk, "invited_tribunals": [tribunal("xitang").pk], "consent": "on"},
        )
        mediation = Mediation.objects.get()
        assert response.status_code == 302 and mediation.origin_case_id == case.pk
        assert mediation.jurisdiction_court.code == "wujiang" and mediation.parties.count() == 2

    def test_another_courts_filing_is_not_found(self, client, fenhu_judge, courts):
        window = make_staff("jiashan.window", "jiashan", ["window_clerk"])
        filing, _code = submit(window, courts)  # Jiashan's window for Qingpu: nothing to do with Wujiang
        logged_in(client, fenhu_judge)
        assert client.get(f"/mediations/new/?filing={filing.pk}").status_code == 404

    def test_no_invited_tribunal_comes_back_on_its_field_and_nothing_is_saved(
        self, client, fenhu_judge, courts
    ):
        logged_in(client, fenhu_judge)
        response = client.post("/mediations/new/", new_form(courts, invited_tribunals=[]))
        assert response.status_code == 400
        error = html(response).split('data-testid="error-invited_tribunals"')[1]
        assert "请至少邀请一个其他法院的人民法庭" in error
        assert not Mediation.objects.exists() and not MediationParty.objects.exists()

    def test_a_tribunal_of_the_lead_court_cannot_be_chosen(self, client, fenhu_judge, courts):
        logged_in(client, fenhu_judge)
        page = html(client.get("/mediations/new/"))
        assert (
            "西塘" in page
            and "汾湖人民法庭" not in page.split('data-testid="invited-tribunals"')[1].split("</fieldset>")[0]
        )
        response = client.post("/mediations/new/", new_form(courts, invited_tribunals=[tribunal("fenhu").pk]))
        assert response.status_code == 400 and 'data-testid="error-invited_tribunals"' in html(response)
        assert not Mediation.objects.exists()

    def test_a_bad_id_number_comes_back_on_the_partys_field(self, client, fenhu_judge, courts):
        logged_in(client, fenhu_judge)
        response = client.post(
            "/mediations/new/", new_form(courts, **{"parties-0-id_number": "320509199001011230"})
        )
        assert response.status_code == 400
        assert 'data-testid="error-parties-0-id_number"' in html(response)
        assert not Mediation.objects.exists()

    def test_without_consent_it_is_refused(self, client, fenhu_judge, courts):
        logged_in(client, fenhu_judge)
        data = new_form(courts)
        del data["consent"]
        response = client.post("/mediations/new/", data)
        assert response.status_code == 400 and 'data-testid="error-consent"' in html(response)
        assert not Mediation.objects.exists()

    def test_a_clerk_cannot_open_one(self, client, wujiang_clerk, courts):
        logged_in(client, wujiang_clerk)
        assert client.get("/mediations/new/").status_code == 403
        assert client.post("/mediations/new/", new_form(courts)).status_code == 403
        assert not Mediation.objects.exists()


# --- Invitations --------------------------------------------------------------------------------------


class TestAnsweringAnInvitation:
    def test_the_xitang_judge_sees_it_on_the_home_page_and_the_invitations_page(
        self, client, fenhu_judge, xitang_judge
    ):
        mediation = opened(fenhu_judge)
        logged_in(client, xitang_judge)
        home = html(client.get("/"))
        waiting = home.split('data-testid="owed"')[1].split("</section>")[0]
        assert mediation.number in waiting and 'data-testid="owed-count">1<' in waiting
        page = html(client.get("/mediations/invitations/"))
        due = mediation.invitations.get().due_at.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M")
        assert mediation.number in page and due in page and 'data-testid="overdue"' not in page

    def test_an_overdue_invitation_is_marked(self, client, fenhu_judge, xitang_judge):
        mediation = opened(fenhu_judge)
        Invitation.objects.filter(mediation=mediation).update(due_at=timezone.now() - dt.timedelta(hours=1))
        logged_in(client, xitang_judge)
        assert 'data-testid="overdue"' in html(client.get("/mediations/invitations/"))

    def test_accepting_from_the_invitations_page_names_the_mediator_and_goes_back_there(
        self, client, fenhu_judge, xitang_judge
    ):
        mediation = opened(fenhu_judge)
        invitation = mediation.invitations.get()
        logged_in(client, xitang_judge)
        response = client.post(
            f"/mediations/{mediation.pk}/accept/",
            {
                "invitation": invitation.pk,
                f"invitation-{invitation.pk}-mediator": xitang_judge.pk,
                "next": "/mediations/invitations/",
            },
        )
        assert response.status_code == 302 and response.url == "/mediations/invitations/"
        invitation.refresh_from_db()
        assert (invitation.state, invitation.mediator) == ("accepted", xitang_judge)
        deliver_pending()  # the answer reaches Wujiang, which settles it
        mediation.refresh_from_db()
        assert mediation.state == "accepted"
        logged_in(client, fenhu_judge)
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        row = page.split('data-testid="invitation-xitang"')[1].split("</tr>")[0]
        assert "state-accepted" in row and "xitang.judge" in row

    def test_another_judge_of_the_tribunal_can_be_named(self, client, fenhu_judge, xitang_judge):
        colleague = make_staff("xitang.judge2", "jiashan", ["judge"], "xitang")
        mediation = opened(fenhu_judge)
        invitation = mediation.invitations.get()
        logged_in(client, xitang_judge)
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        assert f'name="invitation-{invitation.pk}-mediator"' in page
        client.post(
            f"/mediations/{mediation.pk}/accept/",
            {"invitation": invitation.pk, f"invitation-{invitation.pk}-mediator": colleague.pk},
        )
        invitation.refresh_from_db()
        assert invitation.mediator == colleague

    def test_a_judge_of_another_tribunal_cannot_be_named(
        self, client, fenhu_judge, xitang_judge, yaozhuang_judge
    ):
        mediation = opened(fenhu_judge)
        invitation = mediation.invitations.get()
        logged_in(client, xitang_judge)
        response = client.post(
            f"/mediations/{mediation.pk}/accept/",
            {"invitation": invitation.pk, f"invitation-{invitation.pk}-mediator": yaozhuang_judge.pk},
        )
        assert response.status_code == 400
        assert f'data-testid="error-invitation-{invitation.pk}-mediator"' in html(response)
        invitation.refresh_from_db()
        assert invitation.state == "received" and invitation.mediator is None

    def test_declining_needs_a_reason_and_then_tells_the_lead(self, client, fenhu_judge, xitang_judge):
        mediation = opened(fenhu_judge)
        invitation = mediation.invitations.get()
        logged_in(client, xitang_judge)
        url = f"/mediations/{mediation.pk}/decline/"
        bad = client.post(url, {"invitation": invitation.pk, f"invitation-{invitation.pk}-reason": ""})
        assert bad.status_code == 400 and f'data-testid="error-invitation-{invitation.pk}-reason"' in html(
            bad
        )
        invitation.refresh_from_db()
        assert invitation.state == "received"

        client.post(
            url, {"invitation": invitation.pk, f"invitation-{invitation.pk}-reason": "本庭近期无法派员"}
        )
        invitation.refresh_from_db()
        assert (invitation.state, invitation.decline_reason) == ("declined", "本庭近期无法派员")
        deliver_pending()
        mediation.refresh_from_db()
        assert mediation.state == "declined"
        logged_in(client, fenhu_judge)
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        assert "本庭近期无法派员" in page and 'data-testid="declined-note"' in page

    def test_the_lead_judge_gets_no_answer_form(self, client, fenhu_judge, xitang_judge):
        mediation = opened(fenhu_judge)
        invitation = mediation.invitations.get()
        logged_in(client, fenhu_judge)
        assert 'data-testid="action-accept"' not in html(client.get(f"/mediations/{mediation.pk}/"))
        response = client.post(
            f"/mediations/{mediation.pk}/accept/",
            {"invitation": invitation.pk, f"invitation-{invitation.pk}-mediator": fenhu_judge.pk},
        )
        assert response.status_code == 400  # Fenhu's judge is no judge of Xitang: no such mediator to choose
        invitation.refresh_from_db()
        assert invitation.state == "received"


# --- The mediation's page and its actions ---------------------------------------------------------------


class TestLeading:
    def test_the_lead_invites_another_tribunal(self, client, fenhu_judge, xitang_judge):
        mediation = opened(fenhu_judge)
        logged_in(client, fenhu_judge)
        response = client.post(
            f"/mediations/{mediation.pk}/invite/", {"tribunals": [tribunal("zhujiajiao").pk]}
        )
        assert response.status_code == 302
        assert sorted(mediation.invitations.values_list("tribunal__code", flat=True)) == [
            "xitang",
            "zhujiajiao",
        ]

    def test_inviting_nobody_comes_back_on_the_field(self, client, fenhu_judge, xitang_judge):
        mediation = opened(fenhu_judge)
        logged_in(client, fenhu_judge)
        response = client.post(f"/mediations/{mediation.pk}/invite/", {"tribunals": []})
        assert response.status_code == 400 and 'data-testid="error-tribunals"' in html(response)
        assert mediation.invitations.count() == 1

    def test_the_lead_withdraws_an_unanswered_invitation(self, client, fenhu_judge, xitang_judge):
        mediation = opened(fenhu_judge)
        logged_in(client, fenhu_judge)
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        assert 'data-testid="cancel-invitation"' in page
        client.post(
            f"/mediations/{mediation.pk}/cancel-invitation/",
            {"tribunal": tribunal("xitang").pk, "reason": "当事人改选其他法庭"},
        )
        assert mediation.invitations.get().state == "cancelled"

    def test_an_invited_judge_may_not_invite_and_is_told_so(self, client, fenhu_judge, xitang_judge):
        mediation = accepted(fenhu_judge, xitang_judge)
        logged_in(client, xitang_judge)
        assert 'data-testid="invite"' not in html(client.get(f"/mediations/{mediation.pk}/"))
        response = client.post(
            f"/mediations/{mediation.pk}/invite/", {"tribunals": [tribunal("zhujiajiao").pk]}, follow=True
        )
        assert response.redirect_chain == [(f"/mediations/{mediation.pk}/", 302)]
        assert 'class="error"' in html(response)
        assert mediation.invitations.count() == 1

    def test_an_unknown_action_is_not_a_page(self, client, fenhu_judge, xitang_judge):
        mediation = opened(fenhu_judge)
        logged_in(client, fenhu_judge)
        assert client.post(f"/mediations/{mediation.pk}/explode/").status_code == 404


class TestSessions:
    def schedule_form(self, start, **overrides) -> dict:
        data = {
            "starts_at": local_input(start),
            "ends_at": local_input(start + dt.timedelta(hours=2)),
            "mode": "in_person",
            "tribunal": tribunal("fenhu").pk,
            "room": "第一调解室",
            "meeting_url": "",
            "off_hours_reason": "",
        }
        data.update(overrides)
        return data

    def test_scheduling_the_first_session_puts_it_in_session(self, client, fenhu_judge, xitang_judge):
        mediation = accepted(fenhu_judge, xitang_judge)
        logged_in(client, fenhu_judge)
        start = next_working_morning()
        response = client.post(
            f"/mediations/{mediation.pk}/schedule/",
            self.schedule_form(start, mediators=[fenhu_judge.pk, xitang_judge.pk]),
        )
        assert response.status_code == 302
        session = MediationSession.objects.get()
        assert (session.starts_at, session.room, session.mode) == (start, "第一调解室", "in_person")
        assert set(session.mediators.all()) == {fenhu_judge, xitang_judge}
        mediation.refresh_from_db()
        assert mediation.state == "in_session"
        assert "第一调解室" in html(client.get(f"/mediations/{mediation.pk}/"))

    def test_an_online_session_keeps_its_link(self, client, fenhu_judge, xitang_judge):
        mediation = accepted(fenhu_judge, xitang_judge)
        logged_in(client, xitang_judge)
        client.post(
            f"/mediations/{mediation.pk}/schedule/",
            self.schedule_form(
                next_working_morning(),
                mode="online",
                tribunal="",
                room="",
                meeting_url="https://meet.example/abc",
                mediators=[xitang_judge.pk],
            ),
        )
        session = MediationSession.objects.get()
        assert (session.mode, session.meeting_url, session.tribunal.code) == (
            "online",
            "https://meet.example/abc",
            "xitang",
        )

    def test_a_session_in_the_past_comes_back_on_its_field(self, client, fenhu_judge, xitang_judge):
        mediation = accepted(fenhu_judge, xitang_judge)
        logged_in(client, fenhu_judge)
        past = timezone.now() - dt.timedelta(days=1)
        response = client.post(
            f"/mediations/{mediation.pk}/schedule/", self.schedule_form(past, mediators=[fenhu_judge.pk])
        )
        assert response.status_code == 400
        assert "过去" in html(response).split('data-testid="error-starts_at"')[1].split("</div>")[0]
        assert not MediationSession.objects.exists()
        mediation.refresh_from_db()
        assert mediation.state == "accepted"

    def test_a_double_booked_room_comes_back_on_the_room(self, client, fenhu_judge, xitang_judge):
        mediation, session = in_session(fenhu_judge, xitang_judge)
        logged_in(client, fenhu_judge)
        response = client.post(
            f"/mediations/{mediation.pk}/schedule/",
            self.schedule_form(session.starts_at + dt.timedelta(hours=1), mediators=[]),
        )
        assert response.status_code == 400
        assert MediationSession.objects.count() == 1

    def test_a_session_is_moved_with_a_reason(self, client, fenhu_judge, xitang_judge):
        mediation, session = in_session(fenhu_judge, xitang_judge)
        logged_in(client, fenhu_judge)
        later = next_working_morning(days=3)
        prefix = f"session-{session.pk}"
        response = client.post(
            f"/mediation-sessions/{session.pk}/reschedule/",
            {
                f"{prefix}-starts_at": local_input(later),
                f"{prefix}-ends_at": local_input(later + dt.timedelta(hours=1)),
                f"{prefix}-mode": "in_person",
                f"{prefix}-tribunal": tribunal("fenhu").pk,
                f"{prefix}-room": "第二调解室",
                f"{prefix}-meeting_url": "",
                f"{prefix}-off_hours_reason": "",
                f"{prefix}-reason": "被告代理人出差",
            },
        )
        assert response.status_code == 302 and response.url.endswith(f"#session-{session.pk}")
        session.refresh_from_db()
        assert (session.starts_at, session.room) == (later, "第二调解室")
        assert Event.objects.filter(action="session.reschedule", reason="被告代理人出差").exists()

    def test_cancelling_a_session_asks_for_a_reason(self, client, fenhu_judge, xitang_judge):
        mediation, session = in_session(fenhu_judge, xitang_judge)
        logged_in(client, fenhu_judge)
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        assert (
            f'data-testid="cancel-{session.pk}"' in page
            and 'class="danger" data-testid="action-cancel-session"' in page
        )
        bad = client.post(f"/mediation-sessions/{session.pk}/cancel/", {f"session-{session.pk}-reason": ""})
        assert bad.status_code == 400 and f'data-testid="error-session-{session.pk}-reason"' in html(bad)
        session.refresh_from_db()
        assert session.state == "scheduled"

        client.post(
            f"/mediation-sessions/{session.pk}/cancel/", {f"session-{session.pk}-reason": "当事人病假"}
        )
        session.refresh_from_db()
        assert (session.state, session.cancel_reason) == ("cancelled", "当事人病假")

    def test_minutes_are_recorded_once_it_has_started(self, client, fenhu_judge, xitang_judge):
        mediation, session = in_session(fenhu_judge, xitang_judge)
        prefix = f"session-{session.pk}"
        logged_in(client, fenhu_judge)
        assert f'data-testid="record-{session.pk}"' not in html(client.get(f"/mediations/{mediation.pk}/"))
        MediationSession.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - dt.timedelta(hours=2), ends_at=timezone.now() - dt.timedelta(hours=1)
        )
        plaintiff = mediation.parties.get(role="plaintiff")
        response = client.post(
            f"/mediation-sessions/{session.pk}/record/",
            {f"{prefix}-minutes": "双方就付款期限达成初步意见。", f"{prefix}-attendance": [plaintiff.pk]},
        )
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.state == "held" and list(session.present.all()) == [plaintiff]
        assert "双方就付款期限达成初步意见" in html(client.get(f"/mediations/{mediation.pk}/"))

    def test_empty_minutes_come_back_on_the_field(self, client, fenhu_judge, xitang_judge):
        mediation, session = in_session(fenhu_judge, xitang_judge)
        MediationSession.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - dt.timedelta(hours=2), ends_at=timezone.now() - dt.timedelta(hours=1)
        )
        logged_in(client, fenhu_judge)
        response = client.post(
            f"/mediation-sessions/{session.pk}/record/", {f"session-{session.pk}-minutes": ""}
        )
        assert response.status_code == 400 and f'data-testid="error-session-{session.pk}-minutes"' in html(
            response
        )
        session.refresh_from_db()
        assert session.state == "scheduled"

    def test_a_clerk_sees_the_sessions_but_no_session_actions(
        self, client, fenhu_judge, xitang_judge, wujiang_clerk
    ):
        mediation, session = in_session(fenhu_judge, xitang_judge)
        logged_in(client, wujiang_clerk)
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        assert (
            "第一调解室" in page
            and "action-cancel-session" not in page
            and 'data-testid="actions"' not in page
        )
        response = client.post(
            f"/mediation-sessions/{session.pk}/cancel/", {f"session-{session.pk}-reason": "x"}
        )
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.state == "scheduled"


class TestEnding:
    def test_the_agreement_is_recorded_with_its_payments_and_signatures(
        self, client, fenhu_judge, xitang_judge
    ):
        mediation, _session = in_session(fenhu_judge, xitang_judge)
        logged_in(client, xitang_judge)
        response = client.post(f"/mediations/{mediation.pk}/agree/", agreement_form(mediation))
        assert response.status_code == 302
        agreement = Agreement.objects.get()
        assert agreement.amount == Decimal("1280000")
        assert [p.amount for p in agreement.payments.all()] == [Decimal("800000"), Decimal("480000")]
        assert sorted(s.method for s in agreement.signatures.all()) == ["electronic", "handwritten"]
        mediation.refresh_from_db()
        assert mediation.state == "agreed"
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        assert "被告于三十日内支付货款80万元" in page and 'data-testid="apply"' in page

    def test_a_party_who_did_not_sign_is_named_and_nothing_is_saved(self, client, fenhu_judge, xitang_judge):
        mediation, _session = in_session(fenhu_judge, xitang_judge)
        logged_in(client, fenhu_judge)
        response = client.post(
            f"/mediations/{mediation.pk}/agree/", agreement_form(mediation, **{"signatures-1-signed_at": ""})
        )
        assert response.status_code == 400
        errors = html(response).split('data-testid="error-signatures"')[1].split("</div>")[0]
        assert "嘉善县某纺织品有限公司" in errors
        assert not Agreement.objects.exists()
        mediation.refresh_from_db()
        assert mediation.state == "in_session"

    def test_payments_that_do_not_add_up_are_refused(self, client, fenhu_judge, xitang_judge):
        mediation, _session = in_session(fenhu_judge, xitang_judge)
        logged_in(client, fenhu_judge)
        response = client.post(
            f"/mediations/{mediation.pk}/agree/", agreement_form(mediation, **{"payments-1-amount": "400000"})
        )
        assert response.status_code == 400 and 'data-testid="error-payments"' in html(response)
        assert not Agreement.objects.exists()

    def test_replacing_the_agreement_needs_a_reason(self, client, fenhu_judge, xitang_judge):
        mediation, _session = in_session(fenhu_judge, xitang_judge)
        agree(mediation, fenhu_judge)
        logged_in(client, fenhu_judge)
        bad = client.post(f"/mediations/{mediation.pk}/agree/", agreement_form(mediation))
        assert bad.status_code == 400 and 'data-testid="error-reason"' in html(bad)
        in_force = Agreement.objects.get()
        # The page sends the agreement the judge saw, in a hidden field.
        assert f'name="replaces" value="{in_force.pk}"' in html(client.get(f"/mediations/{mediation.pk}/"))
        client.post(
            f"/mediations/{mediation.pk}/agree/",
            agreement_form(mediation, reason="付款期限调整", replaces=in_force.pk),
        )
        assert list(Agreement.objects.order_by("id").values_list("state", flat=True)) == [
            "superseded",
            "in_force",
        ]
        assert 'data-testid="replaced-agreements"' in html(client.get(f"/mediations/{mediation.pk}/"))

    def test_failing_needs_a_reason_and_ends_it(self, client, fenhu_judge, xitang_judge):
        mediation, session = in_session(fenhu_judge, xitang_judge)
        logged_in(client, fenhu_judge)
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        assert 'class="danger" data-testid="action-fail"' in page
        bad = client.post(f"/mediations/{mediation.pk}/fail/", {"reason": ""})
        assert bad.status_code == 400 and 'data-testid="error-reason"' in html(bad)
        mediation.refresh_from_db()
        assert mediation.state == "in_session"

        client.post(f"/mediations/{mediation.pk}/fail/", {"reason": "被告拒绝调解"})
        mediation.refresh_from_db()
        session.refresh_from_db()
        assert (mediation.state, mediation.end_reason, session.state) == (
            "failed",
            "被告拒绝调解",
            "cancelled",
        )

    def test_failing_twice_is_a_refusal_message(self, client, fenhu_judge, xitang_judge):
        mediation = accepted(fenhu_judge, xitang_judge)
        mediation_fail(mediation_id=mediation.pk, actor=fenhu_judge, reason="被告拒绝调解")
        logged_in(client, fenhu_judge)
        response = client.post(f"/mediations/{mediation.pk}/fail/", {"reason": "again"}, follow=True)
        assert response.redirect_chain == [(f"/mediations/{mediation.pk}/", 302)]
        assert 'class="error"' in html(response)
        assert Event.objects.filter(action="mediation.fail").count() == 1

    def test_it_is_extended_with_every_partys_agreement(self, client, fenhu_judge, xitang_judge):
        mediation = accepted(fenhu_judge, xitang_judge)
        until = mediation.expires_on + dt.timedelta(days=15)
        logged_in(client, fenhu_judge)
        client.post(
            f"/mediations/{mediation.pk}/extend/",
            {
                "until": until.isoformat(),
                "reason": "双方同意延长",
                "agreed_by": list(mediation.parties.values_list("pk", flat=True)),
            },
        )
        mediation.refresh_from_db()
        assert mediation.expires_on == until and Extension.objects.get().reason == "双方同意延长"
        assert 'data-testid="extensions"' in html(client.get(f"/mediations/{mediation.pk}/"))

    def test_an_extension_one_party_did_not_agree_to_is_refused(self, client, fenhu_judge, xitang_judge):
        mediation = accepted(fenhu_judge, xitang_judge)
        before = mediation.expires_on
        logged_in(client, fenhu_judge)
        response = client.post(
            f"/mediations/{mediation.pk}/extend/",
            {
                "until": (before + dt.timedelta(days=15)).isoformat(),
                "reason": "原告要求",
                "agreed_by": [mediation.parties.get(role="plaintiff").pk],
            },
        )
        assert response.status_code == 400 and 'data-testid="error-agreed_by"' in html(response)
        mediation.refresh_from_db()
        assert mediation.expires_on == before and not Extension.objects.exists()

    def test_the_parties_withdraw(self, client, fenhu_judge, xitang_judge):
        mediation = accepted(fenhu_judge, xitang_judge)
        logged_in(client, xitang_judge)
        client.post(f"/mediations/{mediation.pk}/withdraw/", {"reason": "双方已自行和解"})
        mediation.refresh_from_db()
        assert (mediation.state, mediation.end_reason) == ("withdrawn", "双方已自行和解")

    def test_a_failed_mediation_becomes_a_filing_linked_from_its_page(
        self, client, fenhu_judge, xitang_judge
    ):
        mediation = accepted(fenhu_judge, xitang_judge)
        mediation_fail(mediation_id=mediation.pk, actor=fenhu_judge, reason="被告拒绝调解")
        logged_in(client, fenhu_judge)
        response = client.post(f"/mediations/{mediation.pk}/convert-to-filing/")
        assert response.status_code == 302
        mediation.refresh_from_db()
        filing = Filing.objects.get(pk=mediation.resulting_filing_id)
        assert sorted(filing.parties.values_list("name", flat=True)) == ["嘉善县某纺织品有限公司", "沈建国"]
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        assert f'href="/filings/{filing.pk}/"' in page and 'data-testid="convert"' not in page


class TestApplyingForConfirmation:
    def test_all_parties_apply_to_a_competent_court(self, client, fenhu_judge, xitang_judge, courts):
        mediation, _session = in_session(fenhu_judge, xitang_judge)
        agree(mediation, fenhu_judge)
        logged_in(client, fenhu_judge)
        response = client.post(
            f"/mediations/{mediation.pk}/apply/",
            {
                "court": courts["wujiang"].pk,
                "applicants": list(mediation.parties.values_list("pk", flat=True)),
            },
        )
        confirmation = Confirmation.objects.get()
        assert response.status_code == 302 and response.url == f"/confirmations/{confirmation.pk}/"
        assert (confirmation.court.code, confirmation.applicants.count()) == ("wujiang", 2)

    def test_one_party_alone_cannot_apply(self, client, fenhu_judge, xitang_judge, courts):
        mediation, _session = in_session(fenhu_judge, xitang_judge)
        agree(mediation, fenhu_judge)
        logged_in(client, fenhu_judge)
        response = client.post(
            f"/mediations/{mediation.pk}/apply/",
            {"court": courts["wujiang"].pk, "applicants": [mediation.parties.get(role="plaintiff").pk]},
        )
        assert response.status_code == 400 and 'data-testid="error-applicants"' in html(response)
        assert not Confirmation.objects.exists()

    def test_only_competent_courts_are_offered(self, client, fenhu_judge, xitang_judge, courts):
        mediation, _session = in_session(fenhu_judge, xitang_judge)
        agree(mediation, fenhu_judge)
        logged_in(client, fenhu_judge)
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        offered = page.split('data-testid="apply"')[1].split("</select>")[0]
        assert courts["wujiang"].name in offered and courts["qingpu"].name not in offered
        response = client.post(
            f"/mediations/{mediation.pk}/apply/",
            {
                "court": courts["qingpu"].pk,
                "applicants": list(mediation.parties.values_list("pk", flat=True)),
            },
        )
        assert response.status_code == 400 and not Confirmation.objects.exists()


class TestReveal:
    def test_a_mediator_sees_a_partys_id_number_once_and_it_is_logged(
        self, client, fenhu_judge, xitang_judge
    ):
        mediation = accepted(fenhu_judge, xitang_judge)
        plaintiff = mediation.parties.get(role="plaintiff")
        logged_in(client, xitang_judge)
        assert 'data-testid="reveal-0"' in html(client.get(f"/mediations/{mediation.pk}/"))
        response = client.post(f"/mediations/{mediation.pk}/parties/{plaintiff.pk}/reveal/")
        assert response.status_code == 200 and PLAINTIFF_ID in html(response)
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
        access = PersonalDataAccess.objects.get()
        assert (access.user, access.subject_id, access.fields) == (
            xitang_judge,
            plaintiff.pk,
            "id_number,phone",
        )
        assert PLAINTIFF_ID not in html(client.get(f"/mediations/{mediation.pk}/"))

    def test_a_clerk_sees_masked_data_only(self, client, fenhu_judge, xitang_judge, wujiang_clerk):
        mediation = accepted(fenhu_judge, xitang_judge)
        plaintiff = mediation.parties.get(role="plaintiff")
        logged_in(client, wujiang_clerk)
        assert 'data-testid="reveal-0"' not in html(client.get(f"/mediations/{mediation.pk}/"))
        assert client.post(f"/mediations/{mediation.pk}/parties/{plaintiff.pk}/reveal/").status_code == 403
        assert not PersonalDataAccess.objects.exists()

    def test_a_party_of_another_mediation_is_not_found(self, client, fenhu_judge, xitang_judge):
        first = accepted(fenhu_judge, xitang_judge)
        second, _code = open_headline(fenhu_judge)
        logged_in(client, fenhu_judge)
        other = second.parties.first()
        assert client.post(f"/mediations/{first.pk}/parties/{other.pk}/reveal/").status_code == 404
        assert not PersonalDataAccess.objects.exists()


class TestTheMediationPage:
    def test_it_shows_the_elapsed_time_and_the_timeline(self, client, fenhu_judge, xitang_judge):
        mediation, _session = in_session(fenhu_judge, xitang_judge)
        logged_in(client, fenhu_judge)
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        elapsed = page.split('data-testid="elapsed"')[1].split("</section>")[0]
        assert 'data-testid="step-accepted"' in elapsed and "%" in elapsed
        timeline = page.split('data-testid="timeline"')[1]
        assert (
            timeline.count("<li>")
            == Event.objects.filter(
                subject_type__in=["mediation.mediation", "mediation.invitation", "mediation.mediationsession"]
            ).count()
        )

    def test_a_clerk_of_the_lead_court_sees_it_and_may_do_nothing(
        self, client, fenhu_judge, xitang_judge, wujiang_clerk
    ):
        mediation = accepted(fenhu_judge, xitang_judge)
        logged_in(client, wujiang_clerk)
        page = html(client.get(f"/mediations/{mediation.pk}/"))
        assert mediation.number in page and 'data-testid="actions"' not in page
        response = client.post(f"/mediations/{mediation.pk}/withdraw/", {"reason": ""})
        assert response.status_code == 302
        mediation.refresh_from_db()
        assert mediation.state == "accepted"


# --- Judicial confirmation's page ---------------------------------------------------------------------------


@pytest.fixture
def applied(fenhu_judge, xitang_judge):
    mediation, _session = in_session(fenhu_judge, xitang_judge)
    agree(mediation, fenhu_judge)
    confirmation = confirmation_apply(
        mediation_id=mediation.pk,
        actor=fenhu_judge,
        court=mediation.lead_court,
        applicants=list(mediation.parties.values_list("pk", flat=True)),
    )
    deliver_pending()
    return confirmation


class TestConfirmationPage:
    def test_it_renders_for_the_courts_taking_part(
        self, client, applied, fenhu_judge, xitang_judge, wujiang_clerk
    ):
        for user in (fenhu_judge, xitang_judge, wujiang_clerk):
            logged_in(client, user)
            page = html(client.get(f"/confirmations/{applied.pk}/"))
            assert applied.mediation.number in page and "江苏省苏州市吴江区人民法院" in page
            assert applied.mediation.number in html(client.get("/confirmations/"))

    def test_the_filing_clerk_registers_it_as_a_minte_case(self, client, applied, wujiang_filing):
        logged_in(client, wujiang_filing)
        assert 'data-testid="action-register"' in html(client.get(f"/confirmations/{applied.pk}/"))
        client.post(f"/confirmations/{applied.pk}/register/")
        applied.refresh_from_db()
        assert applied.state == "registered" and "民特" in applied.case.number
        page = html(client.get(f"/confirmations/{applied.pk}/"))
        due = applied.decision_due_at.astimezone(COURT_TZ).strftime("%Y-%m-%d")
        target = applied.target_due_at.astimezone(COURT_TZ).strftime("%Y-%m-%d")
        assert applied.case.number in page and due in page and target in page

    def test_supplements_are_asked_with_a_deadline(self, client, applied, wujiang_filing):
        logged_in(client, wujiang_filing)
        deadline = timezone.localdate() + dt.timedelta(days=10)
        client.post(
            f"/confirmations/{applied.pk}/request-supplement/",
            {"items": "身份证明复印件\n调解协议原件", "deadline": deadline.isoformat()},
        )
        applied.refresh_from_db()
        assert (applied.state, applied.supplement_items) == (
            "supplement_requested",
            ["身份证明复印件", "调解协议原件"],
        )

    def test_a_supplement_deadline_in_the_past_comes_back_on_its_field(self, client, applied, wujiang_filing):
        logged_in(client, wujiang_filing)
        response = client.post(
            f"/confirmations/{applied.pk}/request-supplement/",
            {"items": "身份证明复印件", "deadline": timezone.localdate().isoformat()},
        )
        assert response.status_code == 400 and 'data-testid="error-deadline"' in html(response)
        applied.refresh_from_db()
        assert applied.state == "applied"

    def test_a_judge_confirms_and_starts_enforcement(self, client, applied, wujiang_filing, wujiang_judge):
        confirmation_register(confirmation_id=applied.pk, actor=wujiang_filing)
        logged_in(client, wujiang_judge)
        client.post(f"/confirmations/{applied.pk}/confirm/")
        applied.refresh_from_db()
        assert applied.state == "confirmed"
        page = html(client.get(f"/confirmations/{applied.pk}/"))
        assert 'data-testid="confirmed-note"' in page and 'data-testid="action-start-enforcement"' in page
        client.post(f"/confirmations/{applied.pk}/start-enforcement/")
        applied.refresh_from_db()
        assert applied.enforcement_filing is not None and applied.enforcement_filing.category == "enforcement"
        assert f'href="/filings/{applied.enforcement_filing_id}/"' in html(
            client.get(f"/confirmations/{applied.pk}/")
        )

    def test_rejecting_needs_grounds(self, client, applied, wujiang_filing, wujiang_judge):
        confirmation_register(confirmation_id=applied.pk, actor=wujiang_filing)
        logged_in(client, wujiang_judge)
        page = html(client.get(f"/confirmations/{applied.pk}/"))
        assert 'class="danger" data-testid="action-reject"' in page and 'id="id_reject_form-grounds"' in page
        bad = client.post(f"/confirmations/{applied.pk}/reject/", {"grounds": ""})
        assert bad.status_code == 400 and 'data-testid="error-grounds"' in html(bad)
        applied.refresh_from_db()
        assert applied.state == "registered"
        client.post(f"/confirmations/{applied.pk}/reject/", {"grounds": "协议内容不明确"})
        applied.refresh_from_db()
        assert (applied.state, applied.grounds) == ("rejected", "协议内容不明确")

    def test_the_court_does_not_accept_it_with_grounds(self, client, applied, wujiang_filing):
        logged_in(client, wujiang_filing)
        client.post(f"/confirmations/{applied.pk}/not-accept/", {"grounds": "不属于人民法院受理范围"})
        applied.refresh_from_db()
        assert applied.state == "not_accepted"

    def test_the_applicants_withdraw(self, client, applied, wujiang_filing):
        logged_in(client, wujiang_filing)
        client.post(f"/confirmations/{applied.pk}/withdraw/", {"reason": "当事人撤回"})
        applied.refresh_from_db()
        assert applied.state == "withdrawn"

    def test_a_judge_of_another_court_cannot_decide(self, client, applied, wujiang_filing, xitang_judge):
        confirmation_register(confirmation_id=applied.pk, actor=wujiang_filing)
        logged_in(client, xitang_judge)
        assert 'data-testid="actions"' not in html(client.get(f"/confirmations/{applied.pk}/"))
        response = client.post(f"/confirmations/{applied.pk}/confirm/", follow=True)
        assert 'class="error"' in html(response)
        applied.refresh_from_db()
        assert applied.state == "registered"

    def test_the_filing_clerk_sees_it_on_the_home_page(self, client, applied, wujiang_filing):
        logged_in(client, wujiang_filing)
        assert f"/confirmations/{applied.pk}/" in html(client.get("/"))


# --- Query counts ---------------------------------------------------------------------------------------


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


class TestQueryCounts:
    @pytest.mark.parametrize("url", ["/mediations/", "/mediations/?whose=all&state=open"])
    def test_the_lead_judges_lists_stay_fixed_as_mediations_grow(
        self, client, url, fenhu_judge, xitang_judge, django_assert_max_num_queries
    ):
        open_headline(fenhu_judge)
        deliver_pending()
        logged_in(client, fenhu_judge)
        one = queries_for(client, url)
        for _ in range(9):
            open_headline(fenhu_judge, invited=("xitang", "zhujiajiao"))
        deliver_pending()
        with django_assert_max_num_queries(one):
            response = client.get(url)
        assert html(response).count("民诉前调") >= 10

    def test_the_lead_judges_desk_stays_fixed_as_accepted_mediations_grow(
        self, client, fenhu_judge, xitang_judge, django_assert_max_num_queries
    ):
        from tests.mediation.conftest import accepted

        accepted(fenhu_judge, xitang_judge)
        logged_in(client, fenhu_judge)
        one = queries_for(client, "/")
        for _ in range(9):
            accepted(fenhu_judge, xitang_judge)
        with django_assert_max_num_queries(one):
            response = client.get("/")
        owed = html(response).split('data-testid="owed"')[1].split("</section>")[0]
        # each: schedule the first session
        assert owed.count('data-testid="owed-（2026）苏0509民诉前调') == 10

    @pytest.mark.parametrize("url", ["/mediations/invitations/", "/"])
    def test_the_invited_judges_lists_stay_fixed_as_invitations_grow(
        self, client, url, fenhu_judge, xitang_judge, django_assert_max_num_queries
    ):
        open_headline(fenhu_judge)
        deliver_pending()
        logged_in(client, xitang_judge)
        one = queries_for(client, url)
        for _ in range(9):
            open_headline(fenhu_judge)
        deliver_pending()
        with django_assert_max_num_queries(one):
            response = client.get(url)
        assert html(response).count("民诉前调") >= 10

    def test_the_confirmation_list_stays_fixed(
        self, client, fenhu_judge, xitang_judge, django_assert_max_num_queries
    ):
        def applied_once():
            mediation, _session = in_session(fenhu_judge, xitang_judge)
            agree(mediation, fenhu_judge)
            confirmation_apply(
                mediation_id=mediation.pk,
                actor=fenhu_judge,
                court=mediation.lead_court,
                applicants=list(mediation.parties.values_list("pk", flat=True)),
            )

        applied_once()
        logged_in(client, fenhu_judge)
        one = queries_for(client, "/confirmations/")
        for day in range(2, 5):
            mediation = accepted(fenhu_judge, xitang_judge)
            schedule(mediation, fenhu_judge, start=next_working_morning(days=day))
            agree(mediation, fenhu_judge)
            confirmation_apply(
                mediation_id=mediation.pk,
                actor=fenhu_judge,
                court=mediation.lead_court,
                applicants=list(mediation.parties.values_list("pk", flat=True)),
            )
        with django_assert_max_num_queries(one):
            client.get("/confirmations/")
        assert Confirmation.objects.count() == 4


def test_a_reload_of_an_action_url_goes_back_to_the_record(client, fenhu_judge, xitang_judge):
    """Issue 14 (4) on the mediation pages: a GET on an action's URL redirects to the record's page."""
    from tests.mediation.conftest import accepted, schedule

    mediation = accepted(fenhu_judge, xitang_judge)
    session = schedule(mediation, fenhu_judge)
    client.force_login(fenhu_judge)
    for path in ("fail", "agree", "sessions", f"parties/{mediation.parties.first().pk}/reveal"):
        response = client.get(f"/mediations/{mediation.pk}/{path}/")
        assert response.status_code == 302 and response.url == f"/mediations/{mediation.pk}/", path
    response = client.get(f"/mediation-sessions/{session.pk}/cancel/")
    assert response.status_code == 302 and response.url.startswith(f"/mediations/{mediation.pk}/")
