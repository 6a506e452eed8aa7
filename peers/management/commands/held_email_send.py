"""Send the emails held during people's quiet hours whose hours have ended (run_scheduler, hourly)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from peers.mail import held_email_send_due


class Command(BaseCommand):
    help = "Send held emails whose recipients' quiet hours have ended."

    def handle(self, *args, **options):
        sent = held_email_send_due(now=timezone.now())
        self.stdout.write(f"held emails sent: {sent}")
