"""Form errors arrive in one round: the case's fields and every party are checked together, and a summary at
the top links to each field (issue 14, item 7)."""

import pytest

from cases.models import Filing
from tests.cases.conftest import PLAINTIFF_ID

pytestmark = pytest.mark.django_db


def filing_form(**overrides) -> dict:
    data = {
        "jurisdiction_court": "",
        "category": "civil_first_instance",
        "cause": "买卖合同纠纷",
        "materials": ["当事人身份证明"],
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "50",
        "parties-0-role": "plaintiff",
        "parties-0-kind": "person",
        "parties-0-name": "张三",
        "parties-0-id_number": PLAINTIFF_ID,
        "parties-1-role": "defendant",
        "parties-1-kind": "person",
        "parties-1-name": "李四",
    }
    data.update(overrides)
    return data


def test_an_empty_cause_and_a_bad_id_number_show_together(client, wujiang_clerk, courts):
    client.force_login(wujiang_clerk)
    data = filing_form(
        jurisdiction_court=courts["qingpu"].pk, cause="", **{"parties-0-id_number": "320509199001011230"}
    )
    response = client.post("/filings/new/", data)
    page = response.content.decode()
    assert 'data-testid="error-cause"' in page
    assert 'data-testid="error-parties-0-id_number"' in page
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_cause"' in summary and 'href="#id_parties-0-id_number"' in summary
    assert not Filing.objects.exists()


def test_a_missing_defendant_shows_beside_the_cause_error(client, wujiang_clerk, courts):
    client.force_login(wujiang_clerk)
    data = filing_form(jurisdiction_court=courts["qingpu"].pk, cause="", **{"parties-1-role": "plaintiff"})
    page = client.post("/filings/new/", data).content.decode()
    assert 'data-testid="error-cause"' in page and 'data-testid="error-parties"' in page


def test_a_party_row_added_and_left_empty_is_ignored(client, wujiang_clerk, courts):
    client.force_login(wujiang_clerk)
    data = filing_form(
        jurisdiction_court=courts["qingpu"].pk,
        **{"parties-TOTAL_FORMS": "3", "parties-2-role": "third_party", "parties-2-kind": "person"},
    )
    response = client.post("/filings/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Filing.objects.get().parties.count() == 2
