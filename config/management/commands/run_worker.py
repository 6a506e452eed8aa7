"""The background worker of production (docker compose's `worker` service): django-tasks-db's
`db_worker`, with a heartbeat for the health check (config/healthcheck.py).

The worker beats each time its loop turns: before it waits for the next poll, and before and
after each task. A worker whose loop is stuck (a database call that never returns, a task that
never ends) stops beating, and the health check says so after `--max-age` seconds. Everything
else (options, signals, the queue) is db_worker's own.
"""

from __future__ import annotations

from django_tasks_db.management.commands import db_worker

from config.healthcheck import beat


class HeartbeatWorker(db_worker.Worker):
    """db_worker's Worker, beating on every turn of its loop. The loop reads `interval` right
    before each wait for the next poll, so that read is where an idle worker beats."""

    @property
    def interval(self) -> float:
        beat("worker")
        return self._interval

    @interval.setter
    def interval(self, value: float) -> None:
        self._interval = value

    def run(self) -> None:
        beat("worker")
        super().run()

    def run_task(self, db_task_result) -> None:
        beat("worker")
        try:
            super().run_task(db_task_result)
        finally:
            beat("worker")


class Command(db_worker.Command):
    help = "Run the database background worker, with a heartbeat for the health check."

    def handle(self, *args, **options):
        original = db_worker.Worker
        db_worker.Worker = HeartbeatWorker  # handle() builds its worker from the module's name
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
