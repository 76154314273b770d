from django.db import migrations


def seed(apps, schema_editor):
    from courts.calendar_import import import_package_calendar

    import_package_calendar(apps.get_model("courts", "CalendarYear"), apps.get_model("courts", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("courts", "0003_event_append_only")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
