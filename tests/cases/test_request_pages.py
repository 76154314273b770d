"""The pages of requests between courts, through the test client: Qingpu asks Jiashan from a case's page,
Jiashan's officer finds the request in the home inbox, accepts it and reports, Qingpu sees the result and
acknowledges it; bad input comes back on its field with nothing stored; a third court and the outsider find
nothing at all."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import (
    PreservationMeasure,
    PreservationRequest,
    RequestAttachment,
    ServiceAttempt,
    ServiceRequest,
)
from cases.services import requests as common
from cases.services.preservation_requests import MeasureInput, preservation_request_create
from cases.services.service_requests import DocumentInput, service_request_create
from courts.legal_calendar import COURT_TZ
from courts.models import Delivery, Event, Notification, PersonalDataAccess
from tests.cases.conftest import deliver_pending, make_case
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 a scanned summons"
JPEG = b"\xff\xd8\xff\xe0 a photo of the signed receipt"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def html(response) -> str:
    return response.content.decode()


def section(page: str, testid: str) -> str:
    """The part of a page from the element with this test id to the next card ("" where there is none:
    the home page leaves out a list with nothing in it)."""
    if f'data-testid="{testid}"' not in page:
        return ""
    return page.split(f'data-testid="{testid}"')[1].split('<section class="card"')[0]


def local_input(moment: dt.datetime) -> str:
    """A time as a datetime-local input sends it."""
    return moment.astimezone(COURT_TZ).strftime("%Y-%m-%dT%H:%M")


def service_form(courts, case, **overrides) -> dict:
    data = {
        "entrusted_court": courts["jiashan"].pk,
        "recipient": case.parties.get(role="defendant").pk,
        "address": "浙江省嘉善县西塘镇塘东街1号",
        "method": "direct",
        "letter_number": "（2026）沪0118委送1号",
        "documents-TOTAL_FORMS": "3",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "1",
        "documents-MAX_NUM_FORMS": "30",
        "documents-0-name": "起诉状副本",
        "documents-0-reference": "",
        "documents-0-copies": "1",
        "documents-1-name": "应诉通知书",
        "documents-1-reference": case.number,
        "documents-1-copies": "2",
        # A third form added with "add a document" and left empty: ignored.
        "documents-2-name": "",
        "documents-2-reference": "",
        "documents-2-copies": "1",
    }
    data.update(overrides)
    return data


def preservation_form(courts, case, **overrides) -> dict:
    data = {
        "entrusted_court": courts["jiashan"].pk,
        "respondent": case.parties.get(role="defendant").pk,
        "urgent": "on",
        "stage": "in_suit",
        "allowed_amount": "300000",
        "ruling_number": "（2026）沪0118民初1号之一",
        "ruling_date": "",
        "measures-TOTAL_FORMS": "2",
        "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "1",
        "measures-MAX_NUM_FORMS": "30",
        "measures-0-type": "freeze",
        "measures-0-property_type": "bank_deposit",
        "measures-0-registry": "中国农业银行嘉善支行",
        "measures-0-account": "6228480000000000",
        "measures-0-amount": "300000",
        "measures-1-type": "seal",
        "measures-1-property_type": "real_estate",
        "measures-1-registry": "嘉善县不动产登记中心",
        "measures-1-account": "浙(2020)嘉善县不动产权第1号",
        "measures-1-amount": "300000",
    }
    data.update(overrides)
    return data


def attempt_form(**overrides) -> dict:
    data = {
        "method": "direct",
        "result": "served",
        "served_at": local_input(dt.datetime.now(COURT_TZ) - dt.timedelta(hours=1)),
        "place": "西塘镇塘东街1号",
        "signer": "赵六",
        "relation": "本人",
        "reason": "",
        "refusal_reason": "",
        "witness": "",
        "officers": "钱七、孙八",
        "remarks": "当面签收",
    }
    data.update(overrides)
    return data


def send_service(actor, case, courts) -> ServiceRequest:
    return service_request_create(
        actor=actor,
        case=case,
        entrusted_court=courts["jiashan"],
        recipient=case.parties.get(role="defendant"),
        address="浙江省嘉善县西塘镇塘东街1号",
        documents=[DocumentInput("起诉状副本")],
        method="direct",
    )


def send_preservation(actor, case, courts, *, urgent=True) -> PreservationRequest:
    return preservation_request_create(
        actor=actor,
        case=case,
        entrusted_court=courts["jiashan"],
        respondent=case.parties.get(role="defendant"),
        urgent=urgent,
        stage="in_suit",
        allowed_amount=Decimal("300000"),
        ruling_number="（2026）沪0118民初1号之一",
        measures=[
            MeasureInput("freeze", "bank_deposit", "中国农业银行嘉善支行", Decimal("200000"), "6228480000"),
            MeasureInput("seal", "real_estate", "嘉善县不动产登记中心", Decimal("300000")),
        ],
    )


def received_long_ago(model, request) -> None:
    """Received two days ago, so an attempt an hour ago is after receipt (as the service tests do)."""
    model.objects.filter(pk=request.pk).update(received_at=dt.datetime.now(COURT_TZ) - dt.timedelta(days=2))


@pytest.fixture
def service_received(qingpu_clerk, qingpu_case, courts, jiashan_officer) -> ServiceRequest:
    request = send_service(qingpu_clerk, qingpu_case, courts)
    deliver_pending()
    received_long_ago(ServiceRequest, request)
    request.refresh_from_db()
    return request


@pytest.fixture
def service_accepted(service_received, jiashan_officer) -> ServiceRequest:
    common.request_accept(ServiceRequest, request_id=service_received.pk, actor=jiashan_officer)
    deliver_pending()
    service_received.refresh_from_db()
    return service_received


@pytest.fixture
def preservation_accepted(qingpu_clerk, qingpu_case, courts, jiashan_officer) -> PreservationRequest:
    request = send_preservation(qingpu_clerk, qingpu_case, courts)
    deliver_pending()
    common.request_accept(PreservationRequest, request_id=request.pk, actor=jiashan_officer)
    deliver_pending()
    request.refresh_from_db()
    return request


class TestAskingFromTheCasePage:
    def test_only_staff_who_may_ask_see_the_buttons(
        self, client, qingpu_clerk, qingpu_officer, jiashan_officer, qingpu_case, courts
    ):
        send_service(qingpu_clerk, qingpu_case, courts)
        deliver_pending()  # once the request has reached Jiashan, Jiashan sees the case it helps with
        url = f"/cases/{qingpu_case.pk}/"
        client.force_login(qingpu_clerk)
        page = html(client.get(url))
        assert (
            'data-testid="new-service-request"' in page and 'data-testid="new-preservation-request"' in page
        )
        for user in (qingpu_officer, jiashan_officer):
            client.force_login(user)
            page = html(client.get(url))
            assert client.get(url).status_code == 200
            assert 'data-testid="new-service-request"' not in page
        # Jiashan sees the request it was asked for on the case page, as a link.
        assert ServiceRequest.objects.get().reference in page

    def test_the_form_offers_other_courts_and_the_defendants_address(self, client, qingpu_clerk, qingpu_case):
        client.force_login(qingpu_clerk)
        page = html(client.get(f"/cases/{qingpu_case.pk}/service-requests/new/"))
        assert "上海市青浦区人民法院</option>" not in page
        assert "浙江省嘉善县人民法院" in page and "江苏省苏州市吴江区人民法院" in page
        assert 'value="浙江省嘉善县西塘镇"' in page  # the defendant's address, prefilled
        assert 'data-address="上海市青浦区"' in page  # the plaintiff's, for the page's script

    def test_a_qingpu_clerk_asks_jiashan_to_serve(self, client, qingpu_clerk, qingpu_case, courts):
        client.force_login(qingpu_clerk)
        data = service_form(courts, qingpu_case, files=[SimpleUploadedFile("起诉状.pdf", PDF)])
        response = client.post(f"/cases/{qingpu_case.pk}/service-requests/new/", data)
        request = ServiceRequest.objects.get()
        assert response.status_code == 302 and response.url == f"/requests/service/{request.pk}/"
        assert (request.entrusted_court.code, request.state, request.method) == ("jiashan", "sent", "direct")
        assert [(d.name, d.copies) for d in request.documents.all()] == [("起诉状副本", 1), ("应诉通知书", 2)]
        assert request.attachments.get().original_name == "起诉状.pdf"
        assert Delivery.objects.filter(kind="service_request.sent").count() == 1
        page = html(client.get(response.url))
        assert request.reference in page and "起诉状.pdf" in page and "应诉通知书" in page

    @pytest.mark.parametrize(
        ("overrides", "error"),
        [
            ({"documents-1-copies": "0"}, "error-documents-1-copies"),  # the service's rule (1 to 100)
            ({"documents-0-name": ""}, "error-documents-0-name"),
            ({"address": ""}, "error-address"),
            ({"entrusted_court": "own"}, "error-entrusted_court"),
            ({"recipient": "other-case"}, "error-recipient"),
            ({"files": "not-a-scan"}, "error-files"),
        ],
    )
    def test_bad_input_comes_back_on_its_field_and_nothing_is_stored(
        self, client, qingpu_clerk, qingpu_case, courts, overrides, error
    ):
        if overrides.get("entrusted_court") == "own":
            overrides = {"entrusted_court": courts["qingpu"].pk}
        if overrides.get("recipient") == "other-case":
            overrides = {"recipient": make_case("qingpu").parties.get(role="defendant").pk}
        if overrides.get("files") == "not-a-scan":
            overrides = {"files": [SimpleUploadedFile("起诉状.docx", b"PK\x03\x04 a word file")]}
        client.force_login(qingpu_clerk)
        response = client.post(
            f"/cases/{qingpu_case.pk}/service-requests/new/", service_form(courts, qingpu_case, **overrides)
        )
        assert response.status_code == 200
        assert f'data-testid="{error}"' in html(response)
        assert not ServiceRequest.objects.exists() and not Delivery.objects.exists()
        assert not RequestAttachment.objects.exists()

    def test_a_qingpu_clerk_asks_jiashan_to_preserve(self, client, qingpu_clerk, qingpu_case, courts):
        client.force_login(qingpu_clerk)
        response = client.post(
            f"/cases/{qingpu_case.pk}/preservation-requests/new/", preservation_form(courts, qingpu_case)
        )
        request = PreservationRequest.objects.get()
        assert response.url == f"/requests/preservation/{request.pk}/"
        assert request.urgent and request.allowed_amount == Decimal("300000")
        assert [m.type for m in request.measures.all()] == ["freeze", "seal"]

    def test_a_measure_above_the_ruling_comes_back_on_its_amount(
        self, client, qingpu_clerk, qingpu_case, courts
    ):
        client.force_login(qingpu_clerk)
        response = client.post(
            f"/cases/{qingpu_case.pk}/preservation-requests/new/",
            preservation_form(courts, qingpu_case, **{"measures-1-amount": "300000.01"}),
        )
        assert response.status_code == 200
        assert 'data-testid="error-measures-1-amount"' in html(response)
        assert not PreservationRequest.objects.exists() and not PreservationMeasure.objects.exists()

    def test_staff_who_may_not_ask_are_refused(
        self, client, qingpu_officer, jiashan_officer, wujiang_clerk, qingpu_clerk, qingpu_case, courts
    ):
        send_service(qingpu_clerk, qingpu_case, courts)
        deliver_pending()  # Jiashan now sees the case (403: may not ask), Wujiang still does not (404)
        for kind in ("service", "preservation"):
            url = f"/cases/{qingpu_case.pk}/{kind}-requests/new/"
            for user, status in ((qingpu_officer, 403), (jiashan_officer, 403), (wujiang_clerk, 404)):
                client.force_login(user)
                assert client.get(url).status_code == status
                assert client.post(url, {}).status_code == status


class TestServiceStory:
    def test_jiashan_serves_and_qingpu_acknowledges(
        self, client, qingpu_clerk, jiashan_officer, qingpu_case, courts
    ):
        client.force_login(qingpu_clerk)
        client.post(f"/cases/{qingpu_case.pk}/service-requests/new/", service_form(courts, qingpu_case))
        request = ServiceRequest.objects.get()
        deliver_pending()
        received_long_ago(ServiceRequest, request)
        request.refresh_from_db()
        url = f"/requests/service/{request.pk}/"

        client.force_login(jiashan_officer)
        owed = section(html(client.get("/")), "owed")
        assert request.reference in owed
        assert request.due_at.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M") in owed
        assert Notification.objects.filter(recipient=jiashan_officer, url=url).exists()
        page = html(client.get(url))
        assert 'data-testid="action-accept"' in page and 'data-testid="action-report-attempt"' not in page
        assert "3304**********5615" in page and "330421197203045615" not in page

        assert client.post(f"{url}accept/").status_code == 302
        request.refresh_from_db()
        assert (request.state, request.officer) == ("accepted", jiashan_officer)
        page = html(client.get(url))
        assert 'data-testid="action-report-attempt"' in page and 'data-testid="action-accept"' not in page

        photo = SimpleUploadedFile("回证.jpg", JPEG)
        response = client.post(f"{url}report-attempt/", {**attempt_form(), "photos": [photo]})
        assert response.status_code == 302
        request.refresh_from_db()
        attempt = request.attempts.get()
        assert request.state == "served" and request.served_on == attempt.served_on
        assert (attempt.signer, attempt.relation, attempt.officers) == ("赵六", "本人", "钱七、孙八")
        assert attempt.attachments.get().original_name == "回证.jpg"
        deliver_pending()

        client.force_login(qingpu_clerk)
        assert request.reference in section(html(client.get("/")), "came-back")
        page = html(client.get(url))
        assert "已送达" in page and "赵六" in page and "钱七、孙八" in page and "回证.jpg" in page
        assert 'data-testid="action-acknowledge"' in page
        assert client.post(f"{url}acknowledge/").status_code == 302
        request.refresh_from_db()
        assert request.state == "closed"
        assert request.reference not in section(html(client.get("/")), "came-back")

        # The case page: the request's final state named as what it is, its result, its milestones.
        case_page = html(client.get(f"/cases/{qingpu_case.pk}/"))
        row = case_page.split(f'data-testid="result-{request.reference}"')[1].split("</td>")[0]
        assert request.served_on.isoformat() in row
        requests = section(case_page, "case-requests")
        assert "已结案" not in requests and "已确认结果" in requests
        timeline = section(case_page, "timeline")
        for label in ("发出委托送达", "已送达", "已确认结果"):
            assert label in timeline, label

    def test_the_timeline_names_each_step_in_the_requests_own_words(
        self, client, service_accepted, qingpu_clerk
    ):
        client.force_login(qingpu_clerk)
        page = html(client.get(f"/requests/service/{service_accepted.pk}/"))
        timeline = page[page.index('data-testid="timeline"') :]
        assert "service_request." not in timeline and "service_request:" not in timeline
        # A request that was received is 已接收, not a filing's 审查中 (under review).
        assert "已接收" in timeline and "审查中" not in timeline

    def test_a_failed_attempt_goes_back_and_service_can_then_be_reported_impossible(
        self, client, service_accepted, jiashan_officer, qingpu_clerk
    ):
        url = f"/requests/service/{service_accepted.pk}/"
        client.force_login(jiashan_officer)
        failed = attempt_form(result="failed", reason="not_found", signer="", relation="", remarks="")
        assert client.post(f"{url}report-attempt/", failed).status_code == 302
        service_accepted.refresh_from_db()
        assert service_accepted.state == "accepted" and service_accepted.attempts.count() == 1
        response = client.post(f"{url}report/", {"reason": "moved", "remarks": "邻居称已搬离两年"})
        assert response.status_code == 302
        service_accepted.refresh_from_db()
        assert (service_accepted.state, service_accepted.failure_reason) == ("failed", "moved")
        client.force_login(qingpu_clerk)
        page = html(client.get(url))
        assert "未能送达" in page and "已搬迁" in page and "查无此人" in page and "邻居称已搬离两年" in page

    @pytest.mark.parametrize(
        ("overrides", "error"),
        [
            ({"signer": ""}, "error-signer"),  # served directly: who signed?
            ({"result": "failed", "reason": ""}, "error-reason"),
            ({"served_at": "tomorrow"}, "error-served_at"),
            ({"place": ""}, "error-place"),
        ],
    )
    def test_a_bad_attempt_comes_back_with_its_error_and_nothing_is_stored(
        self, client, service_accepted, jiashan_officer, overrides, error
    ):
        if overrides.get("served_at") == "tomorrow":
            overrides = {"served_at": local_input(dt.datetime.now(COURT_TZ) + dt.timedelta(days=1))}
        client.force_login(jiashan_officer)
        response = client.post(
            f"/requests/service/{service_accepted.pk}/report-attempt/", attempt_form(**overrides)
        )
        assert response.status_code == 400
        assert f'data-testid="{error}"' in html(response)
        assert not ServiceAttempt.objects.exists()
        service_accepted.refresh_from_db()
        assert service_accepted.state == "accepted"

    def test_an_overdue_or_unaccepted_request_says_so(self, client, service_received, jiashan_officer):
        now = dt.datetime.now(COURT_TZ)
        ServiceRequest.objects.filter(pk=service_received.pk).update(
            overdue=True, overdue_at=now, escalated_at=now - dt.timedelta(days=1)
        )
        client.force_login(jiashan_officer)
        page = html(client.get(f"/requests/service/{service_received.pk}/"))
        assert 'data-testid="overdue-warning"' in page and 'data-testid="escalated"' in page

    def test_a_return_needs_its_reason(self, client, service_received, jiashan_officer, qingpu_clerk):
        url = f"/requests/service/{service_received.pk}/"
        client.force_login(jiashan_officer)
        response = client.post(f"{url}return/", {"reason": ""})
        assert response.status_code == 400 and 'data-testid="error-reason"' in html(response)
        assert client.post(f"{url}return/", {"reason": "受送达人住所不在本院辖区"}).status_code == 302
        service_received.refresh_from_db()
        assert service_received.state == "returned"
        client.force_login(qingpu_clerk)
        assert "受送达人住所不在本院辖区" in html(client.get(url))

    def test_the_requesting_court_cancels(self, client, service_received, qingpu_clerk, jiashan_officer):
        url = f"/requests/service/{service_received.pk}/"
        client.force_login(qingpu_clerk)
        page = html(client.get(url))
        assert 'data-testid="action-cancel"' in page and 'data-testid="action-accept"' not in page
        assert client.post(f"{url}cancel/", {"reason": "当事人已自行领取"}).status_code == 302
        service_received.refresh_from_db()
        assert service_received.state == "cancelled"
        client.force_login(jiashan_officer)
        assert 'data-testid="actions"' not in html(client.get(url))

    def test_a_refused_action_is_explained_and_changes_nothing(
        self, client, service_received, qingpu_clerk, jiashan_officer
    ):
        url = f"/requests/service/{service_received.pk}/"
        client.force_login(qingpu_clerk)  # the requesting court cannot accept its own request
        response = client.post(f"{url}accept/", follow=True)
        assert response.redirect_chain == [(url, 302)]
        assert 'class="error"' in html(response)
        client.force_login(jiashan_officer)  # nor can anyone acknowledge a result not yet reported
        response = client.post(f"{url}acknowledge/", follow=True)
        assert 'class="error"' in html(response)
        service_received.refresh_from_db()
        assert service_received.state == "received"

    def test_an_unknown_action_is_404(
        self, client, service_received, jiashan_officer, qingpu_clerk, qingpu_case, courts
    ):
        preservation = send_preservation(qingpu_clerk, qingpu_case, courts)
        deliver_pending()
        common.request_accept(PreservationRequest, request_id=preservation.pk, actor=jiashan_officer)
        client.force_login(jiashan_officer)
        assert client.post(f"/requests/service/{service_received.pk}/explode/").status_code == 404
        # Attempts at service are a service request's; a preservation request reports its measures.
        url = f"/requests/preservation/{preservation.pk}/report-attempt/"
        assert client.post(url, attempt_form()).status_code == 404
        assert client.get(f"/requests/mediation/{service_received.pk}/").status_code == 404

    def test_the_officer_sees_the_recipient_in_full_and_it_is_logged(
        self, client, service_received, jiashan_officer
    ):
        client.force_login(jiashan_officer)
        response = client.post(f"/requests/service/{service_received.pk}/reveal/")
        assert "330421197203045615" in html(response)
        access = PersonalDataAccess.objects.get()
        assert (access.user, access.subject_id) == (jiashan_officer, service_received.recipient_id)

    def test_files_are_attached_on_the_page_and_downloaded_by_both_courts(
        self, client, service_accepted, jiashan_officer, qingpu_clerk
    ):
        url = f"/requests/service/{service_accepted.pk}/"
        client.force_login(jiashan_officer)
        response = client.post(f"{url}attachments/", {"file": SimpleUploadedFile("回证.pdf", PDF)})
        assert response.status_code == 302
        attachment = RequestAttachment.objects.get()
        bad = client.post(f"{url}attachments/", {"file": SimpleUploadedFile("x.txt", b"plain text")})
        assert bad.status_code == 400 and 'data-testid="error-file"' in html(bad)
        client.force_login(qingpu_clerk)
        download = client.get(f"{url}attachments/{attachment.pk}/")
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


class TestPreservationStory:
    def test_jiashan_reports_each_measure_and_qingpu_acknowledges(
        self, client, qingpu_clerk, jiashan_officer, qingpu_case, courts
    ):
        client.force_login(qingpu_clerk)
        client.post(
            f"/cases/{qingpu_case.pk}/preservation-requests/new/", preservation_form(courts, qingpu_case)
        )
        request = PreservationRequest.objects.get()
        deliver_pending()
        request.refresh_from_db()
        url = f"/requests/preservation/{request.pk}/"

        client.force_login(jiashan_officer)
        owed = section(html(client.get("/")), "owed")
        assert request.reference in owed
        assert request.due_at.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M") in owed
        page = html(client.get(url))
        assert "48" in page[page.index('data-testid="deadline"') :][:400]
        client.post(f"{url}accept/")

        freeze, seal = request.measures.all()
        report = section(html(client.get(url)), "actions")
        # Each measure's result form says which measure it is.
        assert 'data-testid="action-report"' in report and "冻结 · 银行存款 · 中国农业银行嘉善支行" in report
        response = client.post(
            f"{url}report/",
            {
                "results-TOTAL_FORMS": "2",
                "results-INITIAL_FORMS": "2",
                "results-MIN_NUM_FORMS": "0",
                "results-MAX_NUM_FORMS": "30",
                "results-0-measure": freeze.pk,
                "results-0-result": "done",
                "results-0-amount_done": "120000.50",
                "results-0-term_ends_on": "",
                "results-0-receipt": "农行协执字第88号",
                "results-0-failure_reason": "",
                "results-1-measure": seal.pk,
                "results-1-result": "failed",
                "results-1-amount_done": "",
                "results-1-term_ends_on": "",
                "results-1-receipt": "",
                "results-1-failure_reason": "已被他案轮候查封",
            },
        )
        assert response.status_code == 302
        request.refresh_from_db()
        freeze.refresh_from_db()
        assert request.state == "partly_carried_out"
        assert freeze.term_ends_on.year == dt.datetime.now(COURT_TZ).year + 1  # bank deposits: 1 year
        deliver_pending()

        client.force_login(qingpu_clerk)
        assert request.reference in section(html(client.get("/")), "came-back")
        page = html(client.get(url))
        assert "部分执行" in section(page, "result") and "¥120,000.50" in section(
            page, "result"
        )  # grouped, as in English
        assert "农行协执字第88号" in page and "已被他案轮候查封" in page
        assert "120000.50" in page and freeze.term_ends_on.isoformat() in page
        client.post(f"{url}acknowledge/")
        request.refresh_from_db()
        assert request.state == "closed"

    def test_the_officer_sees_accounts_in_full_logged_and_a_window_clerk_masked(
        self, client, preservation_accepted, jiashan_officer
    ):
        url = f"/requests/preservation/{preservation_accepted.pk}/"
        client.force_login(jiashan_officer)
        page = html(client.get(url))
        assert page.count("6228480000") == 2  # in the report form's legend and in the table of measures
        access = PersonalDataAccess.objects.get()
        assert (access.user, access.subject_id, access.fields) == (
            jiashan_officer,
            preservation_accepted.pk,
            "account",
        )

        client.force_login(make_staff("jiashan.window", "jiashan", ["window_clerk"]))
        page = html(client.get(url))
        assert "6228480000" not in page and "********00" in page
        assert PersonalDataAccess.objects.count() == 1

    @pytest.mark.parametrize(
        ("second", "error"),
        [
            ({"results-1-amount_done": "300000.01"}, "error-results-1-amount_done"),  # above the measure
            ({"results-1-receipt": ""}, "error-results-1-receipt"),
            ({"results-1-result": ""}, "error-results-1-result"),
        ],
    )
    def test_a_bad_report_comes_back_on_its_measure_and_nothing_is_stored(
        self, client, preservation_accepted, jiashan_officer, second, error
    ):
        freeze, seal = preservation_accepted.measures.all()
        data = {
            "results-TOTAL_FORMS": "2",
            "results-INITIAL_FORMS": "2",
            "results-0-measure": freeze.pk,
            "results-0-result": "done",
            "results-0-amount_done": "1000",
            "results-0-receipt": "r1",
            "results-1-measure": seal.pk,
            "results-1-result": "done",
            "results-1-amount_done": "2000",
            "results-1-receipt": "r2",
        }
        client.force_login(jiashan_officer)
        response = client.post(
            f"/requests/preservation/{preservation_accepted.pk}/report/", {**data, **second}
        )
        assert response.status_code == 400
        assert f'data-testid="{error}"' in html(response)
        assert html(response).count("6228480000") == 2  # the account still in the form's legend and table
        assert set(preservation_accepted.measures.values_list("result", flat=True)) == {"pending"}

    def test_a_report_that_leaves_a_measure_out_is_refused(
        self, client, preservation_accepted, jiashan_officer
    ):
        freeze, _seal = preservation_accepted.measures.all()
        client.force_login(jiashan_officer)
        response = client.post(
            f"/requests/preservation/{preservation_accepted.pk}/report/",
            {
                "results-TOTAL_FORMS": "1",
                "results-INITIAL_FORMS": "1",
                "results-0-measure": freeze.pk,
                "results-0-result": "done",
                "results-0-amount_done": "1000",
                "results-0-receipt": "r1",
            },
        )
        assert response.status_code == 400 and 'data-testid="error-measures"' in html(response)
        preservation_accepted.refresh_from_db()
        assert preservation_accepted.state == "accepted"


class TestOtherCourtsFindNothing:
    @pytest.fixture
    def both(self, qingpu_clerk, qingpu_case, courts, jiashan_officer):
        service = send_service(qingpu_clerk, qingpu_case, courts)
        preservation = send_preservation(qingpu_clerk, qingpu_case, courts)
        deliver_pending()
        attachment = common.request_attach(
            ServiceRequest,
            request_id=service.pk,
            actor=qingpu_clerk,
            upload=SimpleUploadedFile("起诉状.pdf", PDF),
        )
        return {"service": service, "preservation": preservation, "attachment": attachment}

    @pytest.mark.parametrize("who", ["wujiang_clerk", "outsider"])
    def test_every_page_and_action_is_404(self, client, both, who, request):
        client.force_login(request.getfixturevalue(who))
        for kind in ("service", "preservation"):
            url = f"/requests/{kind}/{both[kind].pk}/"
            assert client.get(url).status_code == 404
            for action in ("accept", "report-attempt", "report", "return", "cancel", "acknowledge"):
                assert client.post(f"{url}{action}/", {"reason": "x"}).status_code == 404, (kind, action)
            assert client.post(f"{url}reveal/").status_code == 404
            assert (
                client.post(f"{url}attachments/", {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code
                == 404
            )
        assert (
            client.get(
                f"/requests/service/{both['service'].pk}/attachments/{both['attachment'].pk}/"
            ).status_code
            == 404
        )
        page = html(client.get("/requests/"))
        assert both["service"].reference not in page and both["preservation"].reference not in page
        assert both["service"].reference not in html(client.get("/"))
        assert client.get(f"/cases/{both['service'].case_id}/service-requests/new/").status_code == 404
        assert ServiceRequest.objects.get().state == "received"
        assert not PersonalDataAccess.objects.exists() and RequestAttachment.objects.count() == 1

    def test_an_attachment_is_not_reachable_through_another_requests_address(
        self, client, both, qingpu_clerk, qingpu_case, courts
    ):
        other = send_service(qingpu_clerk, qingpu_case, courts)
        client.force_login(qingpu_clerk)
        url = f"/requests/service/{other.pk}/attachments/{both['attachment'].pk}/"
        assert client.get(url).status_code == 404


class TestTheList:
    def test_overdue_first_then_by_due_time_with_filters(
        self, client, qingpu_clerk, jiashan_officer, qingpu_case, courts
    ):
        first, second, third = (send_service(qingpu_clerk, qingpu_case, courts) for _ in range(3))
        preservation = send_preservation(qingpu_clerk, qingpu_case, courts)
        deliver_pending()
        now = dt.datetime.now(COURT_TZ)
        ServiceRequest.objects.filter(pk=first.pk).update(due_at=now + dt.timedelta(days=5))
        ServiceRequest.objects.filter(pk=second.pk).update(due_at=now + dt.timedelta(days=2))
        ServiceRequest.objects.filter(pk=third.pk).update(due_at=now + dt.timedelta(days=9), overdue=True)
        client.force_login(jiashan_officer)
        page = html(client.get("/requests/"))
        assert page.index(third.reference) < page.index(second.reference) < page.index(first.reference)
        assert preservation.reference in page

        overdue = html(client.get("/requests/?overdue=1"))  # the overdue digest's link
        assert third.reference in overdue and first.reference not in overdue
        assert preservation.reference not in overdue
        service_only = html(client.get("/requests/?kind=service"))
        assert (
            preservation.reference not in service_only
            and 'data-testid="preservation-requests"' not in service_only
        )
        assert first.reference not in html(client.get("/requests/?direction=outgoing"))
        assert first.reference in html(client.get(f"/requests/?search={first.reference}"))
        carried = html(client.get("/requests/?state=carried_out"))
        assert 'data-testid="service-requests"' not in carried  # no service request is ever carried out

        client.force_login(qingpu_clerk)
        assert first.reference in html(client.get("/requests/?direction=outgoing"))
        assert first.reference not in html(client.get("/requests/?direction=incoming"))

    def test_pages_of_50_cost_the_same_queries_for_5_and_60_requests(
        self, client, qingpu_clerk, jiashan_officer, qingpu_case, courts
    ):
        client.force_login(jiashan_officer)

        def queries(url="/requests/") -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            return len(captured)

        for _ in range(3):
            send_service(qingpu_clerk, qingpu_case, courts)
        for _ in range(2):
            send_preservation(qingpu_clerk, qingpu_case, courts)
        deliver_pending()
        few, home = queries(), queries("/")
        for _ in range(30):
            send_service(qingpu_clerk, qingpu_case, courts)
            send_preservation(qingpu_clerk, qingpu_case, courts)
        deliver_pending()
        ServiceRequest.objects.filter(pk__in=ServiceRequest.objects.values("pk")[:3]).update(overdue=True)
        assert queries() == few
        page = html(client.get("/requests/"))
        assert (
            page.count('href="/requests/service/') == 33 and page.count('href="/requests/preservation/') == 32
        )
        assert queries("/requests/?service_page=2") == few
        assert queries("/") == home  # nor does the home page's panel cost a query per request

    def test_pagination_keeps_the_filters(self, client, qingpu_clerk, jiashan_officer, qingpu_case, courts):
        for _ in range(51):
            send_service(qingpu_clerk, qingpu_case, courts)
        deliver_pending()
        client.force_login(jiashan_officer)
        page = html(client.get("/requests/?direction=incoming"))
        assert page.count('href="/requests/service/') == 50
        assert "direction=incoming&amp;service_page=2" in page
        assert (
            html(client.get("/requests/?direction=incoming&service_page=2")).count('href="/requests/service/')
            == 1
        )


def test_the_home_inbox_lists_overdue_requests_first_with_their_due_time(
    client, qingpu_clerk, jiashan_officer, qingpu_case, courts
):
    calm = send_service(qingpu_clerk, qingpu_case, courts)
    late = send_preservation(qingpu_clerk, qingpu_case, courts, urgent=False)
    deliver_pending()
    PreservationRequest.objects.filter(pk=late.pk).update(overdue=True)
    late.refresh_from_db()
    client.force_login(jiashan_officer)
    owed = section(html(client.get("/")), "owed")
    assert owed.index(late.reference) < owed.index(calm.reference)
    assert 'class="row-overdue"' in owed
    assert late.due_at.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M") in owed
    assert Event.objects.filter(action="service_request.receive").count() == 1
