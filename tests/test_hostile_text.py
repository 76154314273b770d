"""SQL and script fragments in text fields (issue 11, item 5): accepted as text through the API, stored as
typed, and shown escaped on every page that shows them, for the window that filed it and the court that
decides it, through registration into the case and on the litigant's status page."""

import pytest

from cases.models import Filing, Party
from cases.services.filings import filing_register
from tests.cases.conftest import deliver_pending, filing_payload

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('跨域')</script>"
SQL = "'; DROP TABLE cases_filing; --"
CAUSE = f"买卖合同纠纷{SCRIPT}"
NAME = f"张三{SCRIPT}"
ADDRESS = f"吴江区{SQL}"
MATERIAL = f"<img src=x onerror=alert(1)>{SQL}"
ESCAPED = "&lt;script&gt;alert(&#x27;跨域&#x27;)&lt;/script&gt;"


def hostile_payload() -> dict:
    payload = filing_payload(cause=CAUSE, materials=[MATERIAL, "身份证明"])
    payload["parties"][0] |= {"name": NAME, "address": ADDRESS}
    return payload


def assert_escaped(page: str, url: str) -> None:
    assert SCRIPT not in page, f"{url} shows the script unescaped"
    assert "<img src=x" not in page, f"{url} shows the image tag unescaped"
    assert ESCAPED in page, f"{url} does not show the text at all (escaped)"


def test_script_and_sql_fragments_are_stored_as_text_and_shown_escaped(
    api_as, client, wujiang_clerk, qingpu_clerk
):
    created = api_as(wujiang_clerk).post("/api/filings/", hostile_payload(), format="json")
    assert created.status_code == 201, created.json()
    filing = Filing.objects.get(pk=created.json()["id"])
    code = created.json()["query_code"]
    assert (filing.cause, filing.materials[0]) == (CAUSE, MATERIAL)
    assert Party.objects.get(filing=filing, role="plaintiff").name == NAME
    assert Filing.objects.count() == 1  # the SQL was text, not a statement

    client.force_login(wujiang_clerk)
    for url in ("/filings/", f"/filings/{filing.pk}/", f"/filings/{filing.pk}/receipt/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)

    deliver_pending()
    case = filing_register(filing_id=filing.pk, actor=qingpu_clerk, tribunal=None)
    client.force_login(qingpu_clerk)
    for url in (f"/filings/{filing.pk}/", "/cases/", f"/cases/{case.pk}/", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert SCRIPT not in page and "<img src=x" not in page, url
    assert_escaped(client.get(f"/cases/{case.pk}/").content.decode(), "the case page")

    client.logout()
    status = client.get("/status/", {"number": case.number, "code": code})
    assert status.status_code == 200
    assert SCRIPT not in status.content.decode()


def test_script_fragments_in_a_request_and_a_mediation_are_shown_escaped(
    client, qingpu_clerk, xitang_judge, courts
):
    from cases.services.service_requests import DocumentInput, service_request_create
    from mediation.services.mediations import Origin
    from tests.cases.conftest import make_case
    from tests.conftest import make_staff
    from tests.mediation.conftest import headline_parties, open_headline

    case = make_case("qingpu")
    request = service_request_create(
        actor=qingpu_clerk,
        case=case,
        entrusted_court=courts["jiashan"],
        recipient=case.parties.get(role="defendant"),
        address=ADDRESS,
        documents=[DocumentInput(f"起诉状{SCRIPT}")],
        method="direct",
    )
    deliver_pending()
    officer = make_staff("jiashan.officer", "jiashan", ["officer"])
    for user, urls in (
        (qingpu_clerk, ["/requests/", f"/requests/service/{request.pk}/", f"/cases/{case.pk}/"]),
        (officer, ["/requests/", f"/requests/service/{request.pk}/", "/"]),
    ):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert SCRIPT not in response.content.decode(), f"{user.username} {url}"
        assert ESCAPED in client.get(f"/requests/service/{request.pk}/").content.decode()

    fenhu = make_staff("fenhu.judge", "wujiang", ["judge"], "fenhu")
    parties = headline_parties()
    parties[0].name = NAME
    mediation, _code = open_headline(fenhu, cause=CAUSE, origin=Origin(parties=parties))
    deliver_pending()
    for user in (fenhu, xitang_judge):
        client.force_login(user)
        for url in ("/mediations/", f"/mediations/{mediation.pk}/", "/mediations/invitations/", "/"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert SCRIPT not in response.content.decode(), f"{user.username} {url}"
        assert ESCAPED in client.get(f"/mediations/{mediation.pk}/").content.decode()
