"""Background work for this app (django-tasks: immediate in tests, a worker in production)."""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(
    *, subject: str, body: str, to: list[str], html: str | None = None, from_email: str | None = None
) -> None:
    """Send one email; the message is rendered by the caller, in the recipient's language."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@task()
def retention_apply_task() -> dict[str, int]:
    """Carry out every retention rule (run daily from run_scheduler); returns kind → removed."""
    from .services.privacy import retention_apply

    return {run.kind: run.removed for run in retention_apply()}
