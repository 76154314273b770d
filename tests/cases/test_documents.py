"""A filing's and a request's printed documents: every PDF renders with its fonts embedded and its key
fields, the query code prints once (straight after filing), kinds a record does not have are a 404, other
courts and outsiders get a 404, and each page's print button offers exactly the documents the record has."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import PreservationRequest, ServiceRequest
from cases.services import requests as common
from cases.services.filings import filing_request_correction
from courts.documents.dates import chinese_date
from courts.models import IssuedDocument, PersonalDataAccess
from tests.cases.conftest import deliver_pending, submit, working_day
from tests.cases.test_request_services import send_preservation, send_service
from tests.conftest import make_staff
from tests.documents import fonts, pdf_text, pdffonts, verification_code

pytestmark = pytest.mark.django_db


def get_pdf(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if os.environ.get("DOCUMENTS_DUMP"):  # to look at them: DOCUMENTS_DUMP=var/documents pytest ...
        folder = Path(os.environ["DOCUMENTS_DUMP"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / url.rsplit("/", 1)[-1]).write_bytes(response.content)
    return response.content


def assert_embedded(pdf: bytes, tmp_path) -> None:
    found = fonts(pdf)
    assert found and all(found.values()), found
    assert any("NotoSerifCJK" in name.replace("-", "") for name in found), found
    listing = pdffonts(pdf, tmp_path)
    if listing is not None:  # poppler's own word, where poppler-utils is installed
        rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
        assert rows and all(row[-5] == "yes" for row in rows), listing


def assert_layout(text: str, *, court: str, title: str, number: str, dated: dt.date) -> None:
    """Court and title at the top, the number, the court and the date in Chinese numerals at the end, the
    seal's place, and the verification line at the foot."""
    head = text.lstrip().splitlines()
    assert head[0].strip().startswith(court[:6]) and title in text
    assert number in text and chinese_date(dated) in text and "（院印）" in text
    assert re.search(r"核验码\s*[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)


def today() -> dt.date:
    return timezone.localdate()


def page_documents(client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    return re.findall(r'data-testid="document-([a-z_]+)"', html)


@pytest.fixture
def filed(wujiang_clerk, qingpu_clerk, courts, client):
    """Filed at Wujiang's window through the page, the receipt page shown once."""
    client.force_login(wujiang_clerk)
    filing, code = submit(wujiang_clerk, courts)
    return filing, code


class TestReceipt:
    def test_it_renders_with_fonts_embedded_and_every_key_field(self, filed, client, tmp_path):
        filing, _code = filed
        pdf = get_pdf(client, f"/api/filings/{filing.pk}/documents/receipt.pdf")
        assert_embedded(pdf, tmp_path)
        text = pdf_text(pdf)
        assert_layout(
            text,
            court="江苏省苏州市吴江区人民法院",
            title="诉讼材料收据",
            number=filing.receipt_number,
            dated=timezone.localtime(filing.submitted_at).date(),
        )
        for field in ("上海市青浦区人民法院", "买卖合同纠纷", "张三", "上海青浦某贸易有限公司", "158,000.00"):
            assert field in text
        for material in filing.materials:
            assert material in text
        assert "电子送达：同意" in text and "诉前调解：同意" in text
        assert "320509199001011239" not in text and "13812345678" not in text

    def test_the_query_code_prints_once_straight_after_filing_and_never_again(
        self, wujiang_clerk, courts, client
    ):
        client.force_login(wujiang_clerk)
        from tests.cases.conftest import filing_payload

        payload = filing_payload()
        form = {
            "jurisdiction_court": courts["qingpu"].pk,
            "category": payload["category"],
            "cause": payload["cause"],
            "claim_amount": payload["claim_amount"],
            "materials": [],
            "other_materials": "\n".join(payload["materials"]),
            "e_service_consent": "on",
            "pre_mediation_consent": "on",
            "parties-TOTAL_FORMS": "2",
            "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "0",
            "parties-MAX_NUM_FORMS": "1000",
        }
        for index, party in enumerate(payload["parties"]):
            form.update({f"parties-{index}-{key}": value for key, value in party.items()})
        response = client.post("/filings/new/", form)
        assert response.status_code == 302, response.content.decode()[:2000]
        receipt_page = client.get(response["Location"]).content.decode()
        code = re.search(r'data-testid="query-code">([^<]+)<', receipt_page)[1]
        assert 'data-testid="receipt-pdf"' in receipt_page
        pdf_url = re.search(r'href="([^"]+receipt\.pdf)"', receipt_page)[1]

        first = pdf_text(get_pdf(client, pdf_url))
        assert code in first.replace(" ", "")
        second = pdf_text(get_pdf(client, pdf_url))
        assert code not in second.replace(" ", "")
        assert "重新签发" in second.replace("\n", "")
        again = client.get(response["Location"]).content.decode()
        assert 'data-testid="query-code-hidden"' in again

    def test_a_print_from_the_api_without_the_receipt_page_has_no_code(self, filed, api_as, wujiang_clerk):
        filing, code = filed
        pdf = get_pdf(api_as(wujiang_clerk), f"/api/filings/{filing.pk}/documents/receipt.pdf")
        text = pdf_text(pdf).replace(" ", "").replace("\n", "")
        assert code not in text and "重新签发" in text

    def test_the_list_names_the_documents_the_filing_has(self, filed, api_as, qingpu_clerk):
        filing, _code = filed
        response = api_as(qingpu_clerk).get(f"/api/filings/{filing.pk}/documents/")
        assert response.status_code == 200
        assert [(d["kind"], d["title"]) for d in response.json()] == [("receipt", "诉讼材料收据")]
        assert response.json()[0]["url"].endswith(f"/api/filings/{filing.pk}/documents/receipt.pdf")


class TestCorrectionNotice:
    def test_a_filing_without_a_correction_has_none(self, filed, api_as, qingpu_clerk):
        filing, _code = filed
        response = api_as(qingpu_clerk).get(f"/api/filings/{filing.pk}/documents/correction_notice.pdf")
        assert response.status_code == 404
        assert set(response.json()) == {"code", "message", "fields"}

    def test_it_lists_every_item_and_the_deadline(self, filed, api_as, qingpu_clerk, tmp_path, client):
        filing, _code = filed
        deliver_pending()
        deadline = working_day(15)
        items = ["起诉状副本（按被告人数提交）", "原告身份证复印件", "证据目录"]
        filing_request_correction(filing_id=filing.pk, actor=qingpu_clerk, items=items, deadline=deadline)
        pdf = get_pdf(api_as(qingpu_clerk), f"/api/filings/{filing.pk}/documents/correction_notice.pdf")
        assert_embedded(pdf, tmp_path)
        text = pdf_text(pdf)
        assert_layout(
            text,
            court="上海市青浦区人民法院",
            title="补正通知书",
            number=filing.receipt_number,
            dated=today(),
        )
        flat = text.replace("\n", "")
        for item in items:
            assert item in flat
        assert chinese_date(deadline) in flat and "逾期不补正" in flat
        assert page_documents(client, f"/filings/{filing.pk}/") == ["receipt", "correction_notice"]


class TestVisibility:
    def test_other_courts_and_outsiders_get_a_404_and_nobody_a_401(
        self, filed, api_as, outsider, api, courts
    ):
        filing, _code = filed
        jiashan = make_staff("jiashan.someone", "jiashan", ["window_clerk", "filing_clerk"])
        for url in (
            f"/api/filings/{filing.pk}/documents/",
            f"/api/filings/{filing.pk}/documents/receipt.pdf",
        ):
            for user in (jiashan, outsider):
                response = api_as(user).get(url)
                assert response.status_code == 404, (user, url)
                assert set(response.json()) == {"code", "message", "fields"}
            assert api.get(url).status_code == 401
        assert not IssuedDocument.objects.exists()

    def test_an_unknown_kind_or_id_is_a_404_in_the_error_shape(self, filed, api_as, wujiang_clerk):
        filing, _code = filed
        client = api_as(wujiang_clerk)
        for url in (
            f"/api/filings/{filing.pk}/documents/service_letter.pdf",
            f"/api/filings/{filing.pk}/documents/nothing.pdf",
            "/api/filings/99999999999999999999/documents/receipt.pdf",
            "/api/filings/abc/documents/receipt.pdf",
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert response.json()["code"] == "not_found"

    def test_the_filing_page_offers_the_receipt_only(self, filed, client):
        filing, _code = filed
        assert page_documents(client, f"/filings/{filing.pk}/") == ["receipt"]


@pytest.fixture
def qingpu_requester(courts):
    return make_staff("qingpu.req", "qingpu", ["filing_clerk"])


@pytest.fixture
def service(qingpu_requester, qingpu_case, courts, jiashan_officer) -> ServiceRequest:
    request = send_service(qingpu_requester, qingpu_case, courts, letter_number="（2026）沪0118委送1号")
    deliver_pending()
    return ServiceRequest.objects.get(pk=request.pk)


@pytest.fixture
def preservation(qingpu_requester, qingpu_case, courts, jiashan_officer) -> PreservationRequest:
    request = send_preservation(qingpu_requester, qingpu_case, courts)
    deliver_pending()
    common.request_accept(PreservationRequest, request_id=request.pk, actor=jiashan_officer)
    return PreservationRequest.objects.get(pk=request.pk)


class TestServiceDocuments:
    def test_the_letter_of_entrustment(self, service, api_as, jiashan_officer, tmp_path):
        pdf = get_pdf(
            api_as(jiashan_officer), f"/api/service-requests/{service.pk}/documents/service_letter.pdf"
        )
        assert_embedded(pdf, tmp_path)
        text = pdf_text(pdf)
        flat = text.replace("\n", "")
        assert_layout(
            text,
            court="上海市青浦区人民法院",
            title="委托送达函",
            number="（2026）沪0118委送1号",
            dated=timezone.localtime(service.created_at).date(),
        )
        for field in (
            "浙江省嘉善县人民法院：",
            service.case.number,
            "买卖合同纠纷",
            "赵六",
            "浙江省嘉善县西塘镇塘东街1号",
            "起诉状副本",
            "应诉通知书",
            "十日内",
            "送达回证",
            "联系人",
        ):
            assert field in flat, field

    def test_the_service_receipt_has_every_field_and_blanks_for_handwriting(
        self, service, api_as, jiashan_officer
    ):
        pdf = get_pdf(
            api_as(jiashan_officer), f"/api/service-requests/{service.pk}/documents/service_receipt.pdf"
        )
        flat = pdf_text(pdf).replace("\n", "")
        for field in (
            "送达回证",
            service.case.number,
            "案由",
            "送达文书名称及份数",
            "受送达人",
            "赵六",
            "送达地点",
            "受送达人签名或盖章",
            "代收人及代收理由",
            "送达日期",
            "送达人",
            "备注",
            "浙江省嘉善县人民法院",
            "年　　月　　日".replace("　", ""),
        ):
            assert field.replace("　", "") in flat.replace("　", ""), field

    def test_the_request_page_offers_both_and_a_third_court_sees_nothing(
        self, service, client, jiashan_officer, api_as, wujiang_clerk
    ):
        client.force_login(jiashan_officer)
        assert page_documents(client, f"/requests/service/{service.pk}/") == [
            "service_letter",
            "service_receipt",
        ]
        for kind in ("service_letter", "service_receipt"):
            assert (
                api_as(wujiang_clerk)
                .get(f"/api/service-requests/{service.pk}/documents/{kind}.pdf")
                .status_code
                == 404
            )
        response = api_as(jiashan_officer).get(
            f"/api/service-requests/{service.pk}/documents/preservation_notice.pdf"
        )
        assert response.status_code == 404


class TestPreservationNotice:
    def test_one_page_per_registry_with_the_account_in_full_for_the_officer(
        self, preservation, api_as, jiashan_officer, tmp_path
    ):
        pdf = get_pdf(
            api_as(jiashan_officer),
            f"/api/preservation-requests/{preservation.pk}/documents/preservation_notice.pdf",
        )
        assert_embedded(pdf, tmp_path)
        text = pdf_text(pdf)
        flat = text.replace("\n", "")
        assert_layout(
            text,
            court="上海市青浦区人民法院",
            title="协助执行通知书",
            number="（2026）沪0118民初1号之一",
            dated=timezone.localtime(preservation.created_at).date(),
        )
        for field in (
            "中国农业银行嘉善支行：",
            "嘉善县不动产登记中心：",
            "冻结银行存款",
            "查封不动产",
            "赵六",
            "300,000.00",
            "6228480000000000",
            "回执",
        ):
            assert field in flat, field
        assert flat.count("协助执行通知书") >= 2
        assert PersonalDataAccess.objects.filter(user=jiashan_officer, fields="account").exists()

    def test_staff_who_may_not_see_accounts_get_them_masked(self, preservation, api_as, qingpu_officer):
        pdf = get_pdf(
            api_as(qingpu_officer),
            f"/api/preservation-requests/{preservation.pk}/documents/preservation_notice.pdf",
        )
        flat = pdf_text(pdf).replace("\n", "")
        assert "6228480000000000" not in flat and "0000" in flat
        assert not PersonalDataAccess.objects.filter(user=qingpu_officer).exists()

    def test_the_request_page_offers_the_notice(self, preservation, client, jiashan_officer):
        client.force_login(jiashan_officer)
        assert page_documents(client, f"/requests/preservation/{preservation.pk}/") == ["preservation_notice"]


def test_every_copy_verifies_as_its_own_document(service, api_as, jiashan_officer, api):
    client = api_as(jiashan_officer)
    letter = get_pdf(client, f"/api/service-requests/{service.pk}/documents/service_letter.pdf")
    receipt = get_pdf(client, f"/api/service-requests/{service.pk}/documents/service_receipt.pdf")
    first, second = verification_code(letter), verification_code(receipt)
    assert first != second
    assert api.get(f"/api/public/verify/{first}/").json()["title"] == "委托送达函"
    assert api.get(f"/api/public/verify/{second}/").json()["number"] == service.case.number


def test_the_receipts_qr_code_points_to_the_status_page_with_its_number(filed, wujiang_clerk):
    import segno
    from django.test import RequestFactory

    from cases.documents import receipt_context
    from courts.documents.registry import Printing

    filing, _code = filed
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    request.session = {}
    context = receipt_context(filing, Printing(request, wujiang_clerk))
    url = f"http://testserver/status/?number={filing.receipt_number}"
    assert context["status_url"] == url
    assert context["qr"] == segno.make(url, error="m").svg_data_uri(
        scale=4, border=2, dark="#000", light="#fff"
    )
    assert context["qr"].startswith("data:image/svg+xml")


def test_a_query_code_not_printed_within_half_an_hour_is_forgotten(filed, client, time_machine):
    from cases.documents import RECEIPT_CODE_SESSION_KEY, keep_code_for_print

    filing, code = filed
    session = client.session
    keep_code_for_print(session, filing.pk, code)
    session.save()
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=31))
    text = pdf_text(get_pdf(client, f"/api/filings/{filing.pk}/documents/receipt.pdf")).replace("\n", "")
    assert code not in text.replace(" ", "") and "重新签发" in text
    assert RECEIPT_CODE_SESSION_KEY.format(filing.pk) not in client.session
