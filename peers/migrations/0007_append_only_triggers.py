"""The audit log and the sensitive-data access log are append-only in the database (peers/history.py)."""

from django.db import migrations

from peers.history import create_guards, drop_guards

TABLES = ["peers_auditevent", "peers_sensitiveaccess"]


def forwards(apps, schema_editor):
    create_guards(schema_editor, TABLES)


def backwards(apps, schema_editor):
    drop_guards(schema_editor, TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ("peers", "0006_api_tokens"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
