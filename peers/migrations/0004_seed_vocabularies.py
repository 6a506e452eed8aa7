from django.db import migrations

from peers.vocabularies import ACTIVITIES, ORGANISATION_KINDS, PROFESSIONAL_ROLES

SEEDS = {
    "OrganisationKind": ORGANISATION_KINDS,
    "ProfessionalRole": PROFESSIONAL_ROLES,
    "Activity": ACTIVITIES,
}


def add_terms(apps, schema_editor):
    for model_name, rows in SEEDS.items():
        model = apps.get_model("peers", model_name)
        for order, (code, name_ja, name_en) in enumerate(rows, start=1):
            model.objects.update_or_create(
                code=code, defaults={"name_ja": name_ja, "name_en": name_en, "sort_order": order * 10}
            )


def remove_terms(apps, schema_editor):
    for model_name, rows in SEEDS.items():
        model = apps.get_model("peers", model_name)
        model.objects.filter(code__in=[code for code, _ja, _en in rows]).delete()


class Migration(migrations.Migration):
    dependencies = [("peers", "0003_workforce_profiles_engagements_consent")]

    operations = [migrations.RunPython(add_terms, remove_terms)]
