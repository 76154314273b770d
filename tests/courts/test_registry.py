import pytest
from django.db import IntegrityError

from courts.models import Court, Role, StaffRole, Tribunal
from courts.selectors import staff_of_court
from courts.services import staff_upsert

pytestmark = pytest.mark.django_db


def test_the_zone_has_three_courts_with_their_codes_and_queues():
    rows = list(Court.objects.values_list("code", "case_code", "region_code", "queue_name", "province_zh"))
    assert rows == [
        ("wujiang", "苏0509", "320509", "court.wujiang", "江苏省"),
        ("qingpu", "沪0118", "310118", "court.qingpu", "上海市"),
        ("jiashan", "浙0421", "330421", "court.jiashan", "浙江省"),
    ]


def test_four_tribunals_belong_to_their_courts_and_three_lead_the_alliance():
    tribunals = {t.code: t for t in Tribunal.objects.select_related("court")}
    assert {code: t.court.code for code, t in tribunals.items()} == {
        "fenhu": "wujiang",
        "zhujiajiao": "qingpu",
        "xitang": "jiashan",
        "yaozhuang": "jiashan",
    }
    assert {code for code, t in tribunals.items() if t.leads_alliance} == {"fenhu", "zhujiajiao", "xitang"}
    assert tribunals["fenhu"].name_zh == "汾湖人民法庭"


def test_a_fourth_court_is_a_data_change():
    from courts.tasks import court_queues

    Court.objects.create(
        code="wuzhong",
        name_zh="江苏省苏州市吴中区人民法院",
        name_en="Wuzhong District People's Court",
        short_name_zh="吴中法院",
        short_name_en="Wuzhong Court",
        province_zh="江苏省",
        province_en="Jiangsu",
        case_code="苏0506",
        region_code="320506",
        queue_name="court.wuzhong",
    )
    assert "court.wuzhong" in court_queues()


def test_case_codes_and_queues_are_unique():
    with pytest.raises(IntegrityError):
        Court.objects.create(
            code="copy",
            name_zh="x",
            name_en="x",
            short_name_zh="x",
            short_name_en="x",
            province_zh="x",
            province_en="x",
            case_code="沪0118",
            region_code="999999",
            queue_name="court.copy",
        )


def test_every_role_is_seeded():
    assert set(StaffRole.objects.values_list("code", flat=True)) == set(Role.values)


def test_names_follow_the_active_language():
    from django.utils import translation

    court = Court.objects.get(code="qingpu")
    with translation.override("zh-hans"):
        assert court.name == "上海市青浦区人民法院"
    with translation.override("en"):
        assert court.name == "Qingpu District People's Court, Shanghai"


class TestStaff:
    def test_a_member_of_staff_holds_several_roles_at_one_court(self, wujiang_clerk):
        staff_upsert(
            username=wujiang_clerk.username, court=wujiang_clerk.court, roles=["window_clerk", "filing_clerk"]
        )
        wujiang_clerk.refresh_from_db()
        assert wujiang_clerk.role_codes() == {"window_clerk", "filing_clerk"}
        assert wujiang_clerk.court.code == "wujiang"

    def test_a_judge_sits_at_a_tribunal_of_their_own_court(self, xitang_judge):
        assert xitang_judge.tribunal.code == "xitang"
        assert xitang_judge.court.code == "jiashan"

    def test_a_tribunal_of_another_court_is_refused(self, courts):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as refused:
            staff_upsert(
                username="x",
                court=courts["wujiang"],
                tribunal=Tribunal.objects.get(code="xitang"),
                roles=["judge"],
            )
        assert "tribunal" in refused.value.message_dict

    def test_an_unknown_role_is_refused(self, courts):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            staff_upsert(username="x", court=courts["wujiang"], roles=["janitor"])

    def test_weak_passwords_are_refused_by_djangos_validators(self, courts):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            staff_upsert(username="x", court=courts["wujiang"], roles=[], password="12345678")

    def test_court_admins_get_into_the_admin_site(self, courts):
        admin = staff_upsert(username="qp.admin", court=courts["qingpu"], roles=["court_admin"])
        assert admin.is_staff and not admin.is_superuser

    def test_a_court_finds_its_officers(self, courts):
        officer = staff_upsert(username="qp.officer", court=courts["qingpu"], roles=["officer"])
        staff_upsert(username="wj.officer", court=courts["wujiang"], roles=["officer"])
        assert list(staff_of_court(courts["qingpu"], Role.OFFICER)) == [officer]


class TestCourtsApi:
    def test_it_lists_courts_with_tribunals(self, api_as, outsider, django_assert_max_num_queries):
        client = api_as(outsider)
        with django_assert_max_num_queries(4):  # token, user, courts, tribunals
            response = client.get("/api/courts/")
        assert response.status_code == 200
        body = response.json()
        assert [c["code"] for c in body] == ["wujiang", "qingpu", "jiashan"]
        assert [t["code"] for t in body[2]["tribunals"]] == ["xitang", "yaozhuang"]
        assert body[1]["case_code"] == "沪0118"

    def test_it_needs_authentication(self, api, db):
        response = api.get("/api/courts/")
        assert response.status_code == 401
        assert set(response.json()) == {"code", "message", "fields"}


class TestDemoData:
    def test_seed_demo_creates_every_login_and_is_idempotent(self, settings):
        from django.contrib.auth import authenticate
        from django.core.management import call_command

        settings.DEMO_MODE = True
        call_command("seed_demo")
        call_command("seed_demo")
        expected = [
            "wujiang.clerk",
            "qingpu.clerk",
            "jiashan.clerk",
            "fenhu.judge",
            "zhujiajiao.judge",
            "xitang.judge",
            "yaozhuang.judge",
            "wujiang.officer",
            "qingpu.officer",
            "jiashan.officer",
            "zone.viewer",
            "admin",
        ]
        for username in expected:
            assert authenticate(username=username, password="yrd-demo-2026") is not None, username
        from courts.models import User

        assert User.objects.get(username="fenhu.judge").tribunal.code == "fenhu"
        assert User.objects.get(username="admin").is_superuser
        assert User.objects.get(username="zone.viewer").court is None

    def test_outside_demo_mode_there_is_no_default_password(self, settings, monkeypatch):
        from django.core.management import call_command
        from django.core.management.base import CommandError

        settings.DEMO_MODE = False
        monkeypatch.delenv("DEMO_PASSWORD", raising=False)
        with pytest.raises(CommandError):
            call_command("seed_demo")
