import django.db.models.deletion
from django.db import migrations, models


def thread_existing_replies(apps, schema_editor):
    """Replies saved before threads belong to the thread of the message they answer: follow each
    reply up to the first message of its chain (in sequence order, so a parent is done first)."""
    Message = apps.get_model("collaboration", "Message")
    roots = {}
    rows = Message.objects.filter(reply_to__isnull=False).order_by("meeting_id", "seq").values_list(
        "pk", "reply_to_id")
    for batch_start in range(0, rows.count(), 1000):
        for pk, parent in rows[batch_start:batch_start + 1000]:
            root = roots.get(parent, parent)
            roots[pk] = root
            Message.objects.filter(pk=pk).update(thread_id=root)


class Migration(migrations.Migration):

    dependencies = [
        ("collaboration", "0012_body_honorarium_per_meeting"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="thread",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="thread_replies", to="collaboration.message",
                                    verbose_name="thread"),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["thread", "seq"], name="message_thread_seq_idx"),
        ),
        migrations.RunPython(thread_existing_replies, migrations.RunPython.noop),
    ]
