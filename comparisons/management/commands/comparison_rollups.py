"""Check the comparison rollups against the raw rows, and rebuild them (`--rebuild`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from comparisons.models import Source
from comparisons.rollups import rollup_check


class Command(BaseCommand):
    help = "Compare the rollups behind the regional comparisons with the raw rows; --rebuild replaces them."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Rebuild from the raw rows, then check again.")
        parser.add_argument("--source", choices=Source.values, action="append",
                            help="Only this source (repeatable); default: all.")

    def handle(self, *args, rebuild: bool = False, source=None, **options):
        checks = rollup_check(sources=source or Source.values, rebuild=rebuild)
        for check in checks:
            self.stdout.write(f"{check.table}: {check.cells} cells, {check.differences} differ"
                              f"{' (after rebuild)' if rebuild else ''}")
        if any(c.differences for c in checks):
            raise CommandError("The rollups do not agree with the raw rows"
                               + ("." if rebuild else ": run with --rebuild."))
        self.stdout.write("The rollups agree with the raw rows.")
