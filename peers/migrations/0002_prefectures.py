from django.db import migrations

from peers.prefectures import PREFECTURES


def add_prefectures(apps, schema_editor):
    Prefecture = apps.get_model("peers", "Prefecture")
    for code, name_ja, name_en in PREFECTURES:
        Prefecture.objects.update_or_create(code=code, defaults={"name_ja": name_ja, "name_en": name_en})


def remove_prefectures(apps, schema_editor):
    Prefecture = apps.get_model("peers", "Prefecture")
    Prefecture.objects.filter(code__in=[code for code, _ja, _en in PREFECTURES]).delete()


class Migration(migrations.Migration):
    dependencies = [("peers", "0001_initial")]

    operations = [migrations.RunPython(add_prefectures, remove_prefectures)]
