"""Remind invitees of meetings starting within the next day (run hourly from cron or a worker)."""

from django.core.management.base import BaseCommand

from collaboration.services import reminders_send


class Command(BaseCommand):
    help = "Email a reminder, once, to invitees of meetings that start within 24 hours."

    def handle(self, *args, **options):
        count = reminders_send()
        self.stdout.write(f"{count} reminders queued")
