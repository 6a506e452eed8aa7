"""Run the daily certification sweep and reminders (schedule it once a day, e.g. from cron)."""

from django.core.management.base import BaseCommand

from training.tasks import certification_daily


class Command(BaseCommand):
    help = "Move certifications between active, renewal due, grace and lapsed; send due reminders."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD).")
        parser.add_argument("--enqueue", action="store_true", help="Hand the work to the task worker.")

    def handle(self, *args, **options):
        if options["enqueue"]:
            result = certification_daily.enqueue(today=options["date"])
            self.stdout.write(f"enqueued {result.id}")
            return
        counts = certification_daily.call(today=options["date"])
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
