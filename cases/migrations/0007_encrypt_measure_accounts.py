"""Account and certificate numbers of preservation measures: encrypted at rest, masked for display."""

from django.db import migrations, models


def seal_accounts(apps, schema_editor):
    from courts.personal_data import seal

    Measure = apps.get_model("cases", "PreservationMeasure")
    for measure in Measure.objects.exclude(account="").only("pk", "account").iterator():
        sealed = seal(measure.account)
        Measure.objects.filter(pk=measure.pk).update(
            account_cipher=sealed.ciphertext, account_masked=sealed.masked
        )


def unseal_accounts(apps, schema_editor):
    from courts.personal_data import unseal

    Measure = apps.get_model("cases", "PreservationMeasure")
    for measure in Measure.objects.exclude(account_cipher="").only("pk", "account_cipher").iterator():
        Measure.objects.filter(pk=measure.pk).update(account=unseal(measure.account_cipher))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_drop_indexes_covered_by_composites"),
    ]

    operations = [
        migrations.AddField(
            model_name="preservationmeasure",
            name="account_cipher",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="preservationmeasure",
            name="account_masked",
            field=models.CharField(
                blank=True, default="", max_length=100, verbose_name="account or certificate"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(seal_accounts, unseal_accounts),
        migrations.RemoveField(model_name="preservationmeasure", name="account"),
    ]
