"""The admin serves superusers and court admins; a court admin manages only their own court's staff."""

import pytest

from courts.models import CalendarYear, User
from courts.services import staff_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def qingpu_admin(courts):
    return staff_upsert(
        username="qingpu.admin", court=courts["qingpu"], roles=["court_admin"], password="admin-password-2026"
    )


def test_a_court_admin_lists_only_their_courts_staff(client, qingpu_admin, qingpu_clerk, wujiang_clerk):
    client.force_login(qingpu_admin)
    page = client.get("/admin/courts/user/").content.decode()
    assert "qingpu.filing" in page
    assert "wujiang.window" not in page


def test_another_courts_staff_member_is_not_found(client, qingpu_admin, wujiang_clerk):
    client.force_login(qingpu_admin)
    response = client.get(f"/admin/courts/user/{wujiang_clerk.pk}/change/", follow=True)
    assert "wujiang.window" not in response.content.decode() or response.status_code == 404
    response = client.post(f"/admin/courts/user/{wujiang_clerk.pk}/change/", {"is_active": ""})
    wujiang_clerk.refresh_from_db()
    assert wujiang_clerk.is_active


def test_a_court_admin_cannot_make_a_superuser_or_move_staff_to_another_court(
    client, qingpu_admin, qingpu_clerk, courts
):
    client.force_login(qingpu_admin)
    response = client.post(
        f"/admin/courts/user/{qingpu_clerk.pk}/change/",
        {
            "username": "qingpu.filing",
            "first_name": "改名",
            "last_name": "",
            "email": "",
            "roles": ["officer"],
            "is_active": "on",
            "is_superuser": "on",
            "court": courts["wujiang"].pk,
            "tribunal": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    qingpu_clerk.refresh_from_db()
    assert qingpu_clerk.first_name == "改名"
    assert qingpu_clerk.court.code == "qingpu"
    assert not qingpu_clerk.is_superuser
    assert qingpu_clerk.role_codes() == {"officer"}


def test_a_court_admin_cannot_grant_the_zone_viewer_role(client, qingpu_admin, qingpu_clerk):
    client.force_login(qingpu_admin)
    response = client.post(
        f"/admin/courts/user/{qingpu_clerk.pk}/change/",
        {"username": "qingpu.filing", "roles": ["zone_viewer"], "is_active": "on", "tribunal": ""},
    )
    assert response.status_code == 200  # the form again, with an error
    assert not User.objects.get(pk=qingpu_clerk.pk).has_role("zone_viewer")


def test_a_court_admin_reads_but_does_not_edit_the_registry(client, qingpu_admin, courts):
    client.force_login(qingpu_admin)
    assert client.get("/admin/courts/court/").status_code == 200
    response = client.post(f"/admin/courts/court/{courts['wujiang'].pk}/change/", {"name_zh": "x"})
    assert response.status_code == 403


def test_a_court_admin_enters_next_years_calendar(client, qingpu_admin):
    client.force_login(qingpu_admin)
    response = client.post(
        "/admin/courts/calendaryear/add/",
        {
            "year": "2027",
            "source": "manual",
            "notice": "国办发明电〔2026〕X号",
            "days-TOTAL_FORMS": "2",
            "days-INITIAL_FORMS": "0",
            "days-MIN_NUM_FORMS": "0",
            "days-MAX_NUM_FORMS": "1000",
            "days-0-date": "2027-10-01",
            "days-0-kind": "holiday",
            "days-0-name_zh": "国庆节",
            "days-0-name_en": "",
            "days-1-date": "2027-10-09",
            "days-1-kind": "workday",
            "days-1-name_zh": "国庆节",
            "days-1-name_en": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    year = CalendarYear.objects.get(year=2027)
    assert year.source == "manual"
    assert year.days.count() == 2


def test_a_weekday_cannot_be_an_adjusted_working_day(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/courts/calendaryear/add/",
        {
            "year": "2027",
            "source": "manual",
            "notice": "",
            "days-TOTAL_FORMS": "1",
            "days-INITIAL_FORMS": "0",
            "days-MIN_NUM_FORMS": "0",
            "days-MAX_NUM_FORMS": "1000",
            "days-0-date": "2027-10-08",
            "days-0-kind": "workday",
            "days-0-name_zh": "",
            "days-0-name_en": "",
        },
    )
    assert response.status_code == 200
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_clerks_and_outsiders_are_kept_out_of_the_admin(client, wujiang_clerk, outsider):
    for user in (wujiang_clerk, outsider):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response.url


def test_a_court_admin_keeps_their_courts_contact_details_and_nothing_else(client, qingpu_admin, courts):
    """Issue 14 (13): the address and phone the status page shows are kept by the court's administrator."""
    from courts.models import Court

    client.force_login(qingpu_admin)
    qingpu = courts["qingpu"]
    page = client.get(f"/admin/courts/court/{qingpu.pk}/change/").content.decode()
    assert 'name="address"' in page and 'name="name_zh"' not in page
    response = client.post(
        f"/admin/courts/court/{qingpu.pk}/change/",
        {
            "address": "上海市青浦区公园路",
            "phone": "021-69700000",
            "name_zh": "改名",
            "tribunals-TOTAL_FORMS": "1",
            "tribunals-INITIAL_FORMS": "1",
            "tribunals-MIN_NUM_FORMS": "0",
            "tribunals-MAX_NUM_FORMS": "1000",
            "tribunals-0-id": str(qingpu.tribunals.get().pk),
            "tribunals-0-court": str(qingpu.pk),
            "tribunals-0-address": "朱家角镇",
            "tribunals-0-phone": "021-59230000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    qingpu = Court.objects.get(pk=qingpu.pk)
    assert (qingpu.address, qingpu.phone, qingpu.name_zh) == (
        "上海市青浦区公园路",
        "021-69700000",
        "上海市青浦区人民法院",
    )
    assert qingpu.tribunals.get().address == "朱家角镇"
    other = courts["wujiang"]
    assert client.post(f"/admin/courts/court/{other.pk}/change/", {"address": "x"}).status_code == 403
