"""Background work for collaboration (django-tasks: immediate in tests, a worker in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def activity_verification_digest() -> int:
    """Once a day: tell verifiers what waits for them, where something new arrived."""
    from .activity.services import activity_verification_digest_send

    return activity_verification_digest_send()
