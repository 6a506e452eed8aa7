"""Email each organisation's verifiers what waits for them (once a day, from run_scheduler)."""

from django.core.management.base import BaseCommand

from collaboration.tasks import activity_verification_digest


class Command(BaseCommand):
    help = "Email managers and named supervisors about activity entries newly waiting for verification."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Hand the work to the task worker.")

    def handle(self, *args, **options):
        if options["enqueue"]:
            result = activity_verification_digest.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        count = activity_verification_digest.call()
        self.stdout.write(f"{count} digests queued")
