"""Background work for training (django-tasks: immediate in tests, a worker in production)."""

from __future__ import annotations

import datetime

from django_tasks import task


@task()
def certification_daily(*, today: str | None = None) -> dict:
    """The daily run: move certifications whose dates were reached, then send due reminders."""
    from .services import certification_sweep, reminders_send

    day = datetime.date.fromisoformat(today) if today else None
    counts = certification_sweep(today=day)
    counts["reminders"] = reminders_send(today=day)
    return counts
