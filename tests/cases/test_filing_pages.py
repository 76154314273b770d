"""The clerks' pages: filing at the window, the receipt, the inbox, a filing's page and its actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Filing
from courts.models import Notification, PersonalDataAccess
from tests.cases.conftest import PLAINTIFF_ID, deliver_pending, submit, working_day

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "jurisdiction_court": "",  # filled in by the test with a court id
        "category": "civil_first_instance",
        "cause": "买卖合同纠纷",
        "claim_amount": "158000",
        "materials": ["起诉状（按对方当事人人数提交副本）", "当事人身份证明"],
        "other_materials": "银行流水\n",
        "e_service_consent": "on",
        "pre_mediation_consent": "on",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "2",
        "parties-MAX_NUM_FORMS": "50",
        "parties-0-role": "plaintiff",
        "parties-0-kind": "person",
        "parties-0-name": "张三",
        "parties-0-id_number": PLAINTIFF_ID,
        "parties-0-phone": "13812345678",
        "parties-0-address": "苏州市吴江区",
        "parties-1-role": "defendant",
        "parties-1-kind": "organisation",
        "parties-1-name": "上海青浦某贸易有限公司",
        "parties-1-id_number": "91310118MA1JL5PX4P",
        "parties-1-phone": "",
        "parties-1-address": "上海市青浦区",
    }
    data.update(overrides)
    return data


class TestFilingAtTheWindow:
    def test_a_window_clerk_files_and_gets_a_receipt_with_the_query_code_once(
        self, client, wujiang_clerk, courts
    ):
        client.force_login(wujiang_clerk)
        response = client.post("/filings/new/", form_data(jurisdiction_court=courts["qingpu"].pk))
        filing = Filing.objects.get()
        assert response.status_code == 302 and response.url == f"/filings/{filing.pk}/receipt/"
        assert filing.materials == ["起诉状（按对方当事人人数提交副本）", "当事人身份证明", "银行流水"]
        receipt = client.get(response.url).content.decode()
        assert filing.receipt_number in receipt
        assert 'data-testid="query-code"' in receipt
        again = client.get(response.url).content.decode()
        assert 'data-testid="query-code"' not in again and 'data-testid="query-code-hidden"' in again

    def test_a_lost_query_code_is_reissued_after_checking_identity(self, client, wujiang_clerk, courts):
        filing, old_code = submit(wujiang_clerk, courts)
        client.force_login(wujiang_clerk)
        response = client.post(f"/filings/{filing.pk}/reissue-code/")
        assert response.status_code == 302
        receipt = client.get(response.url).content.decode()
        assert 'data-testid="query-code"' in receipt and old_code not in receipt

    def test_bad_party_details_come_back_on_the_form_and_nothing_is_filed(
        self, client, wujiang_clerk, courts
    ):
        client.force_login(wujiang_clerk)
        response = client.post(
            "/filings/new/",
            form_data(
                jurisdiction_court=courts["qingpu"].pk, **{"parties-0-id_number": "320509199001011238"}
            ),
        )
        assert response.status_code == 200
        assert 'data-testid="error-parties-0-id_number"' in response.content.decode()
        assert not Filing.objects.exists()

    def test_a_filing_with_no_defendant_is_refused_on_the_form(self, client, wujiang_clerk, courts):
        client.force_login(wujiang_clerk)
        response = client.post(
            "/filings/new/",
            form_data(jurisdiction_court=courts["qingpu"].pk, **{"parties-1-role": "third_party"}),
        )
        assert 'data-testid="error-parties"' in response.content.decode()
        assert not Filing.objects.exists()

    def test_the_own_court_is_not_offered_as_jurisdiction(self, client, wujiang_clerk, courts):
        client.force_login(wujiang_clerk)
        response = client.post("/filings/new/", form_data(jurisdiction_court=courts["wujiang"].pk))
        assert response.status_code == 200 and not Filing.objects.exists()

    def test_only_window_clerks_see_the_form(self, client, qingpu_clerk, xitang_judge):
        for user in (qingpu_clerk, xitang_judge):
            client.force_login(user)
            assert client.get("/filings/new/").status_code == 403


class TestInbox:
    def test_the_receiving_court_sees_the_filing_within_its_inbox_overdue_first(
        self, client, wujiang_clerk, qingpu_clerk, courts
    ):
        first, _ = submit(wujiang_clerk, courts, cause="第一件")
        second, _ = submit(wujiang_clerk, courts, cause="第二件")
        deliver_pending()
        Filing.objects.filter(pk=second.pk).update(overdue=True)
        client.force_login(qingpu_clerk)
        page = client.get("/").content.decode()
        assert page.index(second.receipt_number) < page.index(first.receipt_number)
        assert "先行立案" in page
        assert Notification.objects.filter(recipient=qingpu_clerk).count() == 2

    def test_the_filing_window_sees_what_came_back_to_tell_the_litigant(
        self, client, wujiang_clerk, qingpu_clerk, courts
    ):
        from cases.services.filings import filing_register

        filing, _ = submit(wujiang_clerk, courts)
        client.force_login(wujiang_clerk)
        assert filing.receipt_number in client.get("/filings/").content.decode()
        assert 'data-testid="came-back"' not in client.get("/").content.decode()  # nothing back yet
        deliver_pending()
        case = filing_register(filing_id=filing.pk, actor=qingpu_clerk)
        home = client.get("/").content.decode()
        row = home.split(f'data-testid="back-{filing.receipt_number}"')[1].split("</tr>")[0]
        assert case.number in row

    def test_a_third_court_sees_nothing(self, client, wujiang_clerk, courts, jiashan_clerk):
        filing, _ = submit(wujiang_clerk, courts)
        deliver_pending()
        client.force_login(jiashan_clerk)
        assert filing.receipt_number not in client.get("/").content.decode()
        assert filing.receipt_number not in client.get("/filings/").content.decode()
        for url in (f"/filings/{filing.pk}/", f"/filings/{filing.pk}/receipt/"):
            assert client.get(url).status_code == 404
        assert client.post(f"/filings/{filing.pk}/register/").status_code == 404

    def test_opening_a_notice_marks_it_read(self, client, received, qingpu_clerk):
        notice = Notification.objects.get(recipient=qingpu_clerk)
        client.force_login(qingpu_clerk)
        response = client.post(f"/notifications/{notice.pk}/open/")
        assert response.url == f"/filings/{received.pk}/"
        notice.refresh_from_db()
        assert notice.read_at is not None

    def test_the_list_costs_the_same_queries_for_5_and_50_filings(
        self, client, wujiang_clerk, qingpu_clerk, courts
    ):
        client.force_login(qingpu_clerk)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/filings/").status_code == 200
            return len(captured)

        for _ in range(5):
            submit(wujiang_clerk, courts)
        deliver_pending()
        few = queries()
        for _ in range(45):
            submit(wujiang_clerk, courts)
        deliver_pending()
        assert queries() == few


class TestDecidingOnThePage:
    def test_register(self, client, received, qingpu_clerk):
        client.force_login(qingpu_clerk)
        page = client.get(f"/filings/{received.pk}/").content.decode()
        assert 'data-testid="action-register"' in page and 'data-testid="action-withdraw"' not in page
        response = client.post(f"/filings/{received.pk}/register/", {"tribunal": ""})
        assert response.status_code == 302
        received.refresh_from_db()
        page = client.get(f"/filings/{received.pk}/").content.decode()
        assert received.case.number in page
        assert client.get(f"/cases/{received.case.pk}/").status_code == 200

    def test_correction_with_a_past_deadline_is_shown_again_with_the_error(
        self, client, received, qingpu_clerk
    ):
        client.force_login(qingpu_clerk)
        response = client.post(
            f"/filings/{received.pk}/request-correction/", {"items": "起诉状副本", "deadline": "2020-01-01"}
        )
        assert response.status_code == 400
        assert "today" in response.content.decode() or "今天" in response.content.decode()
        received.refresh_from_db()
        assert received.state == "received"

    def test_correct_then_resubmit_at_the_window(self, client, received, qingpu_clerk, wujiang_clerk):
        client.force_login(qingpu_clerk)
        deadline = working_day(7).isoformat()
        client.post(
            f"/filings/{received.pk}/request-correction/",
            {"items": "起诉状副本\n证据目录", "deadline": deadline},
        )
        received.refresh_from_db()
        assert received.correction_items == ["起诉状副本", "证据目录"]
        client.force_login(wujiang_clerk)
        assert 'data-testid="action-resubmit"' in client.get(f"/filings/{received.pk}/").content.decode()
        client.post(f"/filings/{received.pk}/resubmit/", {"materials": "起诉状副本2份", "note": ""})
        received.refresh_from_db()
        assert received.state == "resubmitted"

    def test_refusal_without_reasons_is_refused(self, client, received, qingpu_clerk):
        client.force_login(qingpu_clerk)
        assert client.post(f"/filings/{received.pk}/refuse/", {"reason": ""}).status_code == 400
        client.post(f"/filings/{received.pk}/refuse/", {"reason": "不属于本院管辖"})
        received.refresh_from_db()
        assert received.state == "refused"

    def test_a_window_clerk_cannot_decide_and_is_told_why(self, client, received, wujiang_clerk):
        client.force_login(wujiang_clerk)
        response = client.post(f"/filings/{received.pk}/register/", {"tribunal": ""}, follow=True)
        received.refresh_from_db()
        assert received.state == "received"
        assert 'class="error"' in response.content.decode() or "messages" in response.content.decode()

    def test_an_illegal_transition_is_explained(self, client, received, qingpu_clerk):
        client.force_login(qingpu_clerk)
        client.post(f"/filings/{received.pk}/register/", {"tribunal": ""})
        response = client.post(f"/filings/{received.pk}/refuse/", {"reason": "x"}, follow=True)
        received.refresh_from_db()
        assert received.state == "registered"
        assert response.status_code == 200

    def test_an_unknown_action_is_404(self, client, received, qingpu_clerk):
        client.force_login(qingpu_clerk)
        assert client.post(f"/filings/{received.pk}/explode/").status_code == 404


class TestIdentityOnThePage:
    def test_ids_are_masked_and_seeing_one_in_full_is_logged(self, client, received, qingpu_clerk):
        client.force_login(qingpu_clerk)
        page = client.get(f"/filings/{received.pk}/").content.decode()
        assert PLAINTIFF_ID not in page and "3205**********1239" in page
        party = received.parties.get(role="plaintiff")
        page = client.post(f"/parties/{party.pk}/reveal/").content.decode()
        assert PLAINTIFF_ID in page
        access = PersonalDataAccess.objects.get()
        assert (access.user, access.subject_id, access.fields) == (qingpu_clerk, party.pk, "id_number,phone")

    def test_another_court_cannot_reveal(self, client, received, jiashan_clerk):
        client.force_login(jiashan_clerk)
        party = received.parties.first()
        assert client.post(f"/parties/{party.pk}/reveal/").status_code == 404
        assert not PersonalDataAccess.objects.exists()
