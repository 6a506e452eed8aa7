"""Wagtail names its default workflow and task after the groups ("Moderators approval"), which
the Japanese admin then shows inside Japanese sentences ("Moderators approvalに提出する"). Our
editors work in Japanese first: the default workflow and its task get a Japanese name."""

from django.db import migrations

OLD = "Moderators approval"
NEW = "管理者の承認"


def rename(apps, old, new):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    Workflow.objects.filter(name=old).update(name=new)
    Task.objects.filter(name=old).update(name=new)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_website_pages_navigation_social_cards"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(lambda apps, schema_editor: rename(apps, OLD, NEW),
                             lambda apps, schema_editor: rename(apps, NEW, OLD)),
    ]
