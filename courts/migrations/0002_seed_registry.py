"""The zone's three courts and four tribunals (DOMAIN.md), and the staff roles.

A fourth court joins by a row like these, with its own queue; no code changes.
"""

from django.db import migrations

ROLES = ["window_clerk", "filing_clerk", "judge", "officer", "court_admin", "zone_viewer"]

COURTS = [
    {
        "code": "wujiang",
        "name_zh": "江苏省苏州市吴江区人民法院",
        "name_en": "Wujiang District People's Court, Suzhou, Jiangsu",
        "short_name_zh": "吴江法院",
        "short_name_en": "Wujiang Court",
        "province_zh": "江苏省",
        "province_en": "Jiangsu",
        "case_code": "苏0509",
        "region_code": "320509",
        "queue_name": "court.wujiang",
    },
    {
        "code": "qingpu",
        "name_zh": "上海市青浦区人民法院",
        "name_en": "Qingpu District People's Court, Shanghai",
        "short_name_zh": "青浦法院",
        "short_name_en": "Qingpu Court",
        "province_zh": "上海市",
        "province_en": "Shanghai",
        "case_code": "沪0118",
        "region_code": "310118",
        "queue_name": "court.qingpu",
    },
    {
        "code": "jiashan",
        "name_zh": "浙江省嘉善县人民法院",
        "name_en": "Jiashan County People's Court, Zhejiang",
        "short_name_zh": "嘉善法院",
        "short_name_en": "Jiashan Court",
        "province_zh": "浙江省",
        "province_en": "Zhejiang",
        "case_code": "浙0421",
        "region_code": "330421",
        "queue_name": "court.jiashan",
    },
]

TRIBUNALS = [
    ("wujiang", "fenhu", "汾湖人民法庭", "Fenhu People's Tribunal", True),
    ("qingpu", "zhujiajiao", "朱家角人民法庭", "Zhujiajiao People's Tribunal", True),
    ("jiashan", "xitang", "西塘人民法庭", "Xitang People's Tribunal", True),
    ("jiashan", "yaozhuang", "姚庄人民法庭", "Yaozhuang People's Tribunal", False),
]


def seed(apps, schema_editor):
    StaffRole = apps.get_model("courts", "StaffRole")
    Court = apps.get_model("courts", "Court")
    Tribunal = apps.get_model("courts", "Tribunal")
    for code in ROLES:
        StaffRole.objects.get_or_create(code=code)
    for fields in COURTS:
        Court.objects.update_or_create(code=fields["code"], defaults=fields)
    for court_code, code, name_zh, name_en, leads in TRIBUNALS:
        Tribunal.objects.update_or_create(
            code=code,
            defaults={
                "court": Court.objects.get(code=court_code),
                "name_zh": name_zh,
                "name_en": name_en,
                "leads_alliance": leads,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("courts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
