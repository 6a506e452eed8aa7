"""Erase data covered by consents withdrawn longer ago than the retention period (run daily,
e.g. from cron). The work runs as the django-tasks task `consent_purge_expired_task`."""

from django.core.management.base import BaseCommand

from peers.tasks import consent_purge_expired_task


class Command(BaseCommand):
    help = "Erase data whose consent was withdrawn longer ago than the administrator's retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true",
            help="Hand the work to the task worker instead of running it here.",
        )

    def handle(self, *args, **options):
        if options["enqueue"]:
            result = consent_purge_expired_task.enqueue()
            if not result.is_finished:
                self.stdout.write(f"Queued as task {result.id}.")
                return
            counts = result.return_value
        else:
            counts = consent_purge_expired_task.call()
        self.stdout.write(
            "Erased: {consents} consents' data ({lived_experience} lived-experience declarations, "
            "{accommodations} accommodation entries).".format(**counts)
        )
