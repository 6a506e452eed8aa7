"""The clock for background work in production (docker compose's `scheduler` service).

Every hour it queues the meeting reminders; once a day (after DAILY_HOUR, Asia/Tokyo) it queues
the certification sweep with its renewal reminders, every retention rule (the purge of withdrawn sensitive data among them), and
the digest of activity entries waiting for verification.
The work itself runs in the `worker` (django-tasks' db_worker), so this process stays tiny.
`--once` runs every job once and exits (for cron, or to try it by hand).
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

HOURLY = [("send_meeting_reminders", [])]
DAILY = [
    ("certification_sweep", ["--enqueue"]),
    # Every retention rule, the purge of withdrawn consent data among them.
    ("retention_apply", ["--enqueue"]),
    ("activity_verification_digest", ["--enqueue"]),
]
DAILY_HOUR = 3


class Command(BaseCommand):
    help = "Queue the hourly and daily background jobs, forever (or --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def _run(self, jobs) -> None:
        for name, args in jobs:
            try:
                call_command(name, *args, stdout=self.stdout)
            except Exception as error:  # noqa: BLE001 - one failing job must not stop the clock
                self.stderr.write(f"{name} failed: {error!r}")

    def handle(self, *args, **options):
        if options["once"]:
            self._run(HOURLY + DAILY)
            return
        last_daily = None
        while True:
            now = timezone.localtime()
            self._run(HOURLY)
            if now.hour >= DAILY_HOUR and last_daily != now.date():
                self._run(DAILY)
                last_daily = now.date()
            time.sleep(3600 - now.minute * 60 - now.second)
