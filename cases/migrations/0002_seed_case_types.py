"""Case-type codes used in the zone (DOMAIN.md). Data, so a province's variant is an admin edit."""

from django.db import migrations

CASE_TYPES = [
    ("民初", "民事一审", "civil first instance", "civil_first_instance"),
    ("民特", "特别程序（司法确认）", "special procedure (judicial confirmation)", ""),
    ("执", "执行实施", "enforcement", "enforcement"),
    ("执保", "执行保全", "carrying out preservation", ""),
    ("财保", "诉前财产保全", "pre-suit preservation review", ""),
    ("民诉前调", "诉前调解", "pre-filing mediation", ""),
]


def seed(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    for code, name_zh, name_en, category in CASE_TYPES:
        CaseType.objects.update_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en, "filing_category": category}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
