"""The team table's waiting counts come from a rollup: filled from the entries waiting now (one
INSERT ... SELECT grouped per organisation and author, as many rows as there are authors)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    from django.db.models import Count

    Entry = apps.get_model("collaboration", "ActivityEntry")
    Waiting = apps.get_model("collaboration", "OrganisationWaitingRollup")
    rows = (Entry.objects.filter(status="submitted").values("organisation_id", "author_id")
            .annotate(n=Count("id")).order_by())
    Waiting.objects.bulk_create(
        [Waiting(organisation_id=r["organisation_id"], author_id=r["author_id"], entries=r["n"]) for r in rows],
        batch_size=5000,
    )


def empty(apps, schema_editor):
    apps.get_model("collaboration", "OrganisationWaitingRollup").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('collaboration', '0009_message_mentions'),
        ('peers', '0010_furigana_and_plain_wording'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OrganisationWaitingRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('entries', models.IntegerField(default=0)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='peers.organisation')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('organisation', 'author'), name='activity_org_waiting_key')],
            },
        ),
        migrations.RunPython(fill, empty),
    ]
