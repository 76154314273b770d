"""A mediation's agreement (调解协议书) and a confirmation's ruling (民事裁定书, 民特): each only once the
record has it, with its fonts embedded and its key fields, to the mediation's and confirmation's courts
only; the print button on each page offers exactly those."""

import re

import pytest
from django.utils import timezone

from courts.models import Court
from mediation.models import Confirmation, Mediation, MediationParty
from mediation.services.confirmations import confirmation_apply, confirmation_confirm, confirmation_register
from tests.cases.conftest import deliver_pending
from tests.cases.test_documents import assert_embedded, assert_layout, get_pdf, page_documents
from tests.documents import pdf_text
from tests.mediation.conftest import accepted
from tests.mediation.test_api_confirmations import agreed

pytestmark = pytest.mark.django_db


@pytest.fixture
def headline(fenhu_judge, xitang_judge) -> Mediation:
    """Fenhu leads, Xitang accepted; agreed, the agreement in force from today."""
    return agreed(accepted(fenhu_judge, xitang_judge), fenhu_judge)


@pytest.fixture
def registered(headline, fenhu_judge, wujiang_filing) -> int:
    """Both parties applied to Wujiang, which registered a 民特 case."""
    applicants = list(MediationParty.objects.filter(mediation=headline).values_list("pk", flat=True))
    wujiang = Court.objects.get(code="wujiang")
    confirmation = confirmation_apply(
        mediation_id=headline.pk, actor=fenhu_judge, court=wujiang, applicants=applicants
    )
    deliver_pending()
    confirmation_register(confirmation_id=confirmation.pk, actor=wujiang_filing)
    deliver_pending()
    return confirmation.pk


@pytest.fixture
def judge(api_as, wujiang_judge):
    return api_as(wujiang_judge)


@pytest.fixture
def confirmed(registered, wujiang_judge) -> int:
    confirmation_confirm(confirmation_id=registered, actor=wujiang_judge)
    deliver_pending()
    return registered


def test_a_mediation_without_an_agreement_has_no_document(fenhu_judge, xitang_judge, api_as, client):
    mediation = accepted(fenhu_judge, xitang_judge)
    response = api_as(fenhu_judge).get(f"/api/mediations/{mediation.pk}/documents/mediation_agreement.pdf")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_as(fenhu_judge).get(f"/api/mediations/{mediation.pk}/documents/").json() == []
    client.force_login(fenhu_judge)
    assert page_documents(client, f"/mediations/{mediation.pk}/") == []


def test_the_agreement_names_the_parties_masked_the_terms_and_the_mediators(
    headline, api_as, fenhu_judge, xitang_judge, client, tmp_path
):
    for user in (fenhu_judge, xitang_judge):  # the lead's court and the invited court
        pdf = get_pdf(api_as(user), f"/api/mediations/{headline.pk}/documents/mediation_agreement.pdf")
    assert_embedded(pdf, tmp_path)
    text = pdf_text(pdf)
    flat = text.replace("\n", "")
    agreement = headline.agreements.get(state="in_force")
    assert_layout(
        text,
        court="江苏省苏州市吴江区人民法院",
        title="调解协议书",
        number=headline.number,
        dated=timezone.localtime(agreement.signatures.first().signed_at).date(),
    )
    for field in (
        "汾湖人民法庭",
        "西塘人民法庭",
        "申请人：沈建国",
        "被申请人：嘉善县某纺织品有限公司",
        "3205**********1239",
        "经调解，自愿达成如下协议：",
        "被告于2027年1月31日前支付货款80万元",
        "800,000.00",
        "480,000.00",
        "1,280,000.00",
        "调解员",
    ):
        assert field in flat, field
    assert "320509199001011239" not in flat and "13812345678" not in flat
    client.force_login(fenhu_judge)
    assert page_documents(client, f"/mediations/{headline.pk}/") == ["mediation_agreement"]


def test_a_court_with_no_part_in_the_mediation_gets_a_404(headline, api_as, zhujiajiao_judge, outsider):
    for user in (zhujiajiao_judge, outsider):
        for url in (
            f"/api/mediations/{headline.pk}/documents/",
            f"/api/mediations/{headline.pk}/documents/mediation_agreement.pdf",
        ):
            assert api_as(user).get(url).status_code == 404


def test_a_registered_confirmation_has_no_ruling_yet(registered, judge, client, wujiang_judge):
    response = judge.get(f"/api/confirmations/{registered}/documents/confirmation_ruling.pdf")
    assert response.status_code == 404
    client.force_login(wujiang_judge)
    assert page_documents(client, f"/confirmations/{registered}/") == []


def test_the_confirmation_ruling(confirmed, judge, client, wujiang_judge, tmp_path):
    confirmation = Confirmation.objects.select_related("case").get(pk=confirmed)
    pdf = get_pdf(judge, f"/api/confirmations/{confirmed}/documents/confirmation_ruling.pdf")
    assert_embedded(pdf, tmp_path)
    text = pdf_text(pdf)
    flat = text.replace("\n", "").replace(" ", "").replace("\u3000", "")
    assert_layout(
        text,
        court="江苏省苏州市吴江区人民法院",
        title="民事裁定书",
        number=confirmation.case.number,
        dated=timezone.localtime(confirmation.decided_at).date(),
    )
    assert re.search(r"（\d{4}）苏0509民特\d+号", flat)
    for field in (
        "申请人：沈建国",
        "嘉善县某纺织品有限公司",
        "申请司法确认调解协议",
        "汾湖人民法庭主持调解",
        "被告于2027年1月31日前支付货款80万元",
        "第二百零五条、第二百零六条",
        "一、申请人",
        "调解协议有效",
        "二、当事人应当按照调解协议的约定自觉履行义务",
        "可以向人民法院申请执行",
        "本裁定书自即日起发生法律效力",
        "审判员",
        "书记员",
    ):
        assert field in flat, field
    assert "320509199001011239" not in flat
    client.force_login(wujiang_judge)
    assert page_documents(client, f"/confirmations/{confirmed}/") == ["confirmation_ruling"]
    assert judge.get(f"/api/confirmations/{confirmed}/documents/").json()[0]["kind"] == "confirmation_ruling"


def test_another_court_cannot_print_the_ruling(confirmed, api_as, zhujiajiao_judge):
    response = api_as(zhujiajiao_judge).get(
        f"/api/confirmations/{confirmed}/documents/confirmation_ruling.pdf"
    )
    assert response.status_code == 404
