"""Empty the search index and build it again from every record (after a bulk import, a restore,
or a change to how text is analysed)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cms.search import rebuild


class Command(BaseCommand):
    help = "Rebuild the site search index (cms.SearchEntry) from every page and record."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = rebuild(out=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {sum(counts.values())} entries."))
