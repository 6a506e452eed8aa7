"""Carry out the retention rules an administrator set (run daily by run_scheduler). Each rule's
run is logged (RetentionRun, in the editor under Workforce → Retention runs)."""

from django.core.management.base import BaseCommand

from peers.tasks import retention_apply_task


class Command(BaseCommand):
    help = "Remove records whose retention period ran out, by the administrator's retention rules."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true",
            help="Hand the work to the task worker instead of running it here.",
        )

    def handle(self, *args, **options):
        if options["enqueue"]:
            result = retention_apply_task.enqueue()
            if not result.is_finished:
                self.stdout.write(f"Queued as task {result.id}.")
                return
            removed = result.return_value
        else:
            removed = retention_apply_task.call()
        self.stdout.write("Retention: " + (", ".join(f"{kind} {count}" for kind, count in removed.items())
                                           or "no rules") + ".")
