"""Every admin page opens for the two kinds of administrator: a changelist and a change page of every
registered model, for a superuser and a court admin. A page that crashes (the delivery admin once did) fails
here instead of in front of someone re-sending a failed delivery."""

import pytest
from django.contrib import admin
from django.urls import reverse

from courts.models import Delivery
from tests.cases.conftest import submit
from tests.conftest import make_staff
from tests.documents import print_document

pytestmark = pytest.mark.django_db

# Models that may have no row in this test's data; every other registered model must be opened on a row.
MAY_BE_EMPTY = {"authtoken.tokenproxy", "auth.group"}


@pytest.fixture
def admins(courts, superuser):
    return {"superuser": superuser, "court admin": make_staff("qingpu.admin", "qingpu", ["court_admin"])}


@pytest.fixture
def some_of_everything(courts, wujiang_clerk, qingpu_clerk):
    """A filing sent from Wujiang to Qingpu (a filing, parties, a delivery to Qingpu, timeline events), and
    one delivery given up, as the admin shows them."""
    filing, _code = submit(wujiang_clerk, courts)
    Delivery.objects.filter(court=courts["qingpu"]).update(state=Delivery.State.FAILED, last_error="boom")
    print_document("filings", filing, "receipt", wujiang_clerk)  # an issued document
    return filing


def _pages(model_admin, model):
    meta = model._meta
    yield reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    row = model._default_manager.order_by("pk").first()
    if row is not None:
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])


@pytest.mark.parametrize("who", ["superuser", "court admin"])
def test_every_admin_page_opens(client, admins, some_of_everything, who):
    client.force_login(admins[who])
    opened_rows = set()
    for model, model_admin in admin.site._registry.items():
        for url in _pages(model_admin, model):
            # The test client re-raises a view's exception: a crash fails here with its traceback.
            response = client.get(url)
            assert response.status_code in (200, 302, 403), (url, response.status_code)
            if who == "superuser":
                assert response.status_code == 200, url
            if url.endswith("/change/"):
                opened_rows.add(model._meta.label_lower)
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered - opened_rows <= MAY_BE_EMPTY


def test_a_court_admin_sees_and_resends_their_own_courts_failed_deliveries(
    client, admins, some_of_everything, courts
):
    failed = Delivery.objects.get(court=courts["qingpu"], state=Delivery.State.FAILED)
    elsewhere = Delivery.objects.create(
        court=courts["jiashan"], kind=failed.kind, payload={}, state=Delivery.State.FAILED
    )
    client.force_login(admins["court admin"])
    listing = client.get("/admin/courts/delivery/").content.decode()
    assert f"/admin/courts/delivery/{failed.pk}/change/" in listing
    assert f"/admin/courts/delivery/{elsewhere.pk}/change/" not in listing
    assert client.get(f"/admin/courts/delivery/{elsewhere.pk}/change/").status_code == 302  # "not found"
    response = client.post(
        "/admin/courts/delivery/",
        {"action": "send_again", "_selected_action": [failed.pk, elsewhere.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    elsewhere.refresh_from_db()
    assert failed.state == Delivery.State.PENDING
    assert elsewhere.state == Delivery.State.FAILED


def test_a_court_admin_is_offered_no_filter_by_court(client, admins, some_of_everything):
    """Issue 14 (10): a court admin sees one court; the court filter listed all three."""
    client.force_login(admins["court admin"])
    for url in ("/admin/courts/user/", "/admin/courts/event/", "/admin/courts/delivery/"):
        page = client.get(url).content.decode()
        assert "江苏省苏州市吴江区人民法院" not in page, url
    client.force_login(admins["superuser"])
    assert "江苏省苏州市吴江区人民法院" in client.get("/admin/courts/user/").content.decode()


def test_the_timeline_in_the_admin_shows_names_not_codes(client, admins, some_of_everything):
    client.force_login(admins["superuser"])
    page = client.get("/admin/courts/event/").content.decode()
    rows = page.split('id="result_list"')[1].split("</table>")[0]
    assert "filing.submit" not in rows and "cases.filing" not in rows
    assert "跨域立案 #" in rows  # the record type's name
    assert "窗口收件并转交" in rows  # the action's name
