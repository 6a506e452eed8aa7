"""Erase data covered by consents withdrawn longer ago than the retention period (run daily)."""

from django.core.management.base import BaseCommand

from peers.services.privacy import consent_purge_expired


class Command(BaseCommand):
    help = "Erase data whose consent was withdrawn longer ago than the administrator's retention period."

    def handle(self, *args, **options):
        result = consent_purge_expired()
        self.stdout.write(
            "Erased: {consents} consents' data ({lived_experience} lived-experience declarations, "
            "{accommodations} accommodation entries).".format(**result)
        )
