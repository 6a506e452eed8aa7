"""The clock for background work in production (docker compose's `scheduler` service).

It lives in `config`, above the apps, because it wires every app's jobs (and Wagtail's) into one
clock. Every hour it publishes the pages and snippets whose go-live date has passed and
unpublishes the expired ones (Wagtail's `publish_scheduled`, so editors' dates fire), queues the
meeting reminders and sends the emails held during quiet hours that have ended; once a day (after DAILY_HOUR, Asia/Tokyo) it queues the certification sweep
with its renewal reminders, every retention rule (the purge of withdrawn sensitive data among
them), and the digest of activity entries waiting for verification.
The work itself runs in the `worker` (django-tasks' db_worker), so this process stays tiny.
`--once` runs every job once and exits (for cron, or to try it by hand). While it waits for the
next hour it beats every HEARTBEAT_SECONDS (config/healthcheck.py), for the compose health check.
"""

from __future__ import annotations

import datetime
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from config.healthcheck import beat

HOURLY = [
    # Wagtail's scheduled publishing: go-live and expiry dates set in the editor.
    ("publish_scheduled", []),
    ("send_meeting_reminders", []),
    # Emails held during people's quiet hours, once those hours have ended (peers/mail.py).
    ("held_email_send", []),
]
DAILY = [
    ("certification_sweep", ["--enqueue"]),
    # Every retention rule, the purge of withdrawn consent data among them.
    ("retention_apply", ["--enqueue"]),
    ("activity_verification_digest", ["--enqueue"]),
]
DAILY_HOUR = 3
HEARTBEAT_SECONDS = 30


def run_jobs(jobs, *, stdout=None, stderr=None) -> None:
    """Run each job's command; one failing job is reported and never stops the others."""
    for name, args in jobs:
        try:
            call_command(name, *args, stdout=stdout)
        except Exception as error:  # noqa: BLE001 - one failing job must not stop the clock
            if stderr is not None:
                stderr.write(f"{name} failed: {error!r}")


def tick(*, now: datetime.datetime, last_daily: datetime.date | None, stdout=None, stderr=None):
    """One beat of the clock: the hourly jobs, and the daily ones when their hour has come and
    they have not run today. Returns the date the daily jobs last ran."""
    run_jobs(HOURLY, stdout=stdout, stderr=stderr)
    local = timezone.localtime(now)
    if local.hour >= DAILY_HOUR and last_daily != local.date():
        run_jobs(DAILY, stdout=stdout, stderr=stderr)
        return local.date()
    return last_daily


class Command(BaseCommand):
    help = "Queue the hourly and daily background jobs, forever (or --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args, **options):
        if options["once"]:
            run_jobs(HOURLY + DAILY, stdout=self.stdout, stderr=self.stderr)
            return
        last_daily = None
        while True:
            beat("scheduler")
            now, started = timezone.now(), time.monotonic()
            last_daily = tick(now=now, last_daily=last_daily, stdout=self.stdout, stderr=self.stderr)
            local = timezone.localtime(now)
            wait_until = started + 3600 - local.minute * 60 - local.second  # the next full hour
            while (left := wait_until - time.monotonic()) > 0:
                beat("scheduler")
                time.sleep(min(HEARTBEAT_SECONDS, left))
