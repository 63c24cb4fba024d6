"""The organisation's default digest schedule: Mondays at 08:00 UK time (organisers change it in the admin)."""

from django.db import migrations


def create_default(apps, schema_editor):
    DigestSchedule = apps.get_model("messaging", "DigestSchedule")
    if not DigestSchedule.objects.filter(constituency__isnull=True).exists():
        DigestSchedule.objects.create(constituency=None, weekday=0, hour=8)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
