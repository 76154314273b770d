"""The parties follow their mediation at /status/ with its number and the query code they were given:
procedural status only (where it stands, the next session's time and tribunal), no names, no terms."""

import pytest

from courts.models import Tribunal
from mediation.models import MediationSession
from tests.cases.conftest import deliver_pending
from tests.mediation.conftest import agree, next_working_morning, open_headline, schedule

pytestmark = pytest.mark.django_db


def look_up(client, number: str, code: str) -> str:
    response = client.post("/status/", {"number": number, "code": code})
    assert response.status_code == 200
    return response.content.decode()


def test_a_party_sees_the_next_session_and_nothing_about_anyone(client, fenhu_judge, xitang_judge):
    from mediation.services.mediations import invitation_accept

    mediation, code = open_headline(fenhu_judge)
    page = look_up(client, mediation.number, code)
    assert 'data-testid="status"' in page
    assert mediation.number in page and "沈建国" not in page
    deliver_pending()
    invitation_accept(invitation_id=mediation.invitations.get().pk, actor=xitang_judge)
    deliver_pending()
    start = next_working_morning(days=3)
    schedule(
        mediation, fenhu_judge, start=start, tribunal=Tribunal.objects.get(code="fenhu"), room="第三调解室"
    )
    page = look_up(client, mediation.number, code.lower())
    assert start.strftime("%Y-%m-%d %H:%M") in page
    assert "汾湖人民法庭" in page
    for secret in (
        "沈建国",
        "嘉善县某纺织品有限公司",
        "13812345678",
        "第三调解室",
        "fenhu.judge",
        "xitang.judge",
    ):
        assert secret not in page


def test_a_wrong_code_finds_nothing(client, fenhu_judge):
    mediation, code = open_headline(fenhu_judge)
    page = look_up(client, mediation.number, "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA")
    assert 'data-testid="refused"' in page
    assert 'data-testid="status"' not in page


def test_the_terms_of_an_agreement_are_not_shown(client, fenhu_judge, xitang_judge):
    from mediation.services.mediations import invitation_accept

    mediation, code = open_headline(fenhu_judge)
    deliver_pending()
    invitation_accept(invitation_id=mediation.invitations.get().pk, actor=xitang_judge)
    deliver_pending()
    schedule(mediation, fenhu_judge)
    agree(mediation, fenhu_judge)
    MediationSession.objects.update(state="held")
    page = look_up(client, mediation.number, code)
    assert "被告于2027年1月31日前支付货款" not in page
    assert "1280000" not in page and "1,280,000" not in page
