"""Emails, once for every app: written in the recipient's language, handed to the email task
(peers.tasks.send_email) only once the transaction commits, so a refused change sends nothing.

Three ways to say what to send, all rendered at send time inside `translation.override`:
- `email_templates(...)`: `<prefix>_subject.txt` and `<prefix>_message.txt` with a context;
- `email_lines(...)`: a subject and paragraphs (lazy strings, or callables returning text);
- `email_rendered(...)`: a callable returning (subject, body), for anything else.
Links in emails are absolute: `site_url(path)`, from WAGTAILADMIN_BASE_URL.

Quiet hours: pass `recipient=` (the person's account) for emails and digests about the work;
one that reaches them inside their quiet hours (peers/preferences.py) is stored rendered, as a
`HeldEmail`, and sent by `held_email_send_due(now=...)` on the scheduler's tick once they end.
Furigana and plain Japanese follow the reader's account (`recipient`, or the account with the
address written to): a Japanese email to someone with furigana on carries readings in text
form, 漢字(かんじ) (peers/furigana.py); templates and lines see plain Japanese chosen
(peers/plain.py) while they render.
Security mail (allauth's: password reset, email confirmation, two-step sign-in, security
notices) never passes through here and so is never held; neither is mail with no recipient
account (an invitation, a public application).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .furigana import ruby_text
from .plain import plain_active, plain_for
from .preferences import user_furigana_wanted


def site_url(path: str) -> str:
    """The absolute address of a path on this platform, for emails."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def site_url_for(name: str, args: Iterable = (), *, language: str | None = None) -> str:
    """The absolute address of a URL name, in `language`'s URL prefix (/en/… for English)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return site_url(reverse(name, args=list(args)))


def language_of(user, default: str | None = None) -> str:
    """The language a person reads their emails in."""
    return getattr(user, "language", "") or default or settings.LANGUAGE_CODE


def email_rendered(*, to: str, language: str, render: Callable[[], tuple[str, str]], recipient=None) -> None:
    """Send what `render()` returns as (subject, body), rendered in `language`, on commit; held
    until the end of `recipient`'s quiet hours when it falls inside them."""
    from .tasks import send_email

    def _send() -> None:
        reader = recipient if recipient is not None else _account_of(to)
        with translation.override(language), plain_for(reader):
            subject, body = render()
        subject, body = str(subject).strip(), str(body)
        if language.startswith("ja") and user_furigana_wanted(reader):
            subject, body = ruby_text(subject), "\n".join(ruby_text(line) for line in body.split("\n"))
        if recipient is not None and _hold(recipient=recipient, subject=subject, body=body):
            return
        send_email.enqueue(subject=subject, body=body, to=[to])

    transaction.on_commit(_send)


def _account_of(address: str):
    """The account an email goes to, when there is one (for its furigana and wording)."""
    from .models import User

    return User.objects.filter(email__iexact=address, is_active=True).only(
        "id", "furigana", "wording", "quiet_hours_start", "quiet_hours_end").first()


def _hold(*, recipient, subject: str, body: str) -> bool:
    from .models import HeldEmail
    from .preferences import user_quiet_until

    now = timezone.now()
    until = user_quiet_until(recipient, now)
    if until is None:
        return False
    HeldEmail.objects.create(recipient=recipient, subject=subject[:998], body=body,
                             held_at=now, send_after=until)
    return True


@transaction.atomic
def held_email_send_due(*, now) -> int:
    """Hand every held email whose recipient is outside quiet hours at `now` to the email task,
    at the account's current address, and forget it; returns how many sent. Due means: the quiet
    hours in force when it was held have ended (`send_after`), or the person's quiet hours as set
    now do not cover `now` (they shortened or turned them off). Mail for an account that is no
    longer active is dropped, not sent. The scheduler's tick calls it (`held_email_send`)."""
    from .models import HeldEmail
    from .preferences import user_quiet_until
    from .tasks import send_email

    held = list(HeldEmail.objects.select_for_update(of=("self",)).select_related("recipient")
                .order_by("send_after", "id"))
    done, sent = [], 0
    for item in held:
        if item.send_after > now and user_quiet_until(item.recipient, now) is not None:
            continue
        done.append(item.pk)
        if item.recipient.is_active and item.recipient.email:
            send_email.enqueue(subject=item.subject, body=item.body, to=[item.recipient.email])
            sent += 1
    HeldEmail.objects.filter(pk__in=done).delete()
    return sent


def email_templates(*, to: str, language: str, prefix: str, context: dict | Callable[[], dict],
                    recipient=None) -> None:
    """Render `<prefix>_subject.txt` and `<prefix>_message.txt` in `language`, on commit. A
    callable context is called at send time, in that language."""

    def render() -> tuple[str, str]:
        full = context() if callable(context) else context
        full = {**full, "plain_japanese": plain_active()}  # the reader's wording (peers/plain.py)
        return (render_to_string(f"{prefix}_subject.txt", full), render_to_string(f"{prefix}_message.txt", full))

    email_rendered(to=to, language=language, render=render, recipient=recipient)


def _text(value) -> str:
    return str(value() if callable(value) else value)


def email_lines(*, to: str, language: str, subject, lines: Iterable, recipient=None) -> None:
    """A subject and paragraphs (lazy strings or callables), in `language`, on commit."""
    lines = list(lines)
    email_rendered(to=to, language=language, recipient=recipient,
                   render=lambda: (_text(subject), "\n\n".join(_text(line) for line in lines)))
