"""Emails, once for every app: written in the recipient's language, handed to the email task
(peers.tasks.send_email) only once the transaction commits, so a refused change sends nothing.

Three ways to say what to send, all rendered at send time inside `translation.override`:
- `email_templates(...)`: `<prefix>_subject.txt` and `<prefix>_message.txt` with a context;
- `email_lines(...)`: a subject and paragraphs (lazy strings, or callables returning text);
- `email_rendered(...)`: a callable returning (subject, body), for anything else.
Links in emails are absolute: `site_url(path)`, from WAGTAILADMIN_BASE_URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


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


def email_rendered(*, to: str, language: str, render: Callable[[], tuple[str, str]]) -> None:
    """Send what `render()` returns as (subject, body), rendered in `language`, on commit."""
    from .tasks import send_email

    def _send() -> None:
        with translation.override(language):
            subject, body = render()
        send_email.enqueue(subject=str(subject).strip(), body=str(body), to=[to])

    transaction.on_commit(_send)


def email_templates(*, to: str, language: str, prefix: str, context: dict | Callable[[], dict]) -> None:
    """Render `<prefix>_subject.txt` and `<prefix>_message.txt` in `language`, on commit. A
    callable context is called at send time, in that language."""

    def render() -> tuple[str, str]:
        full = context() if callable(context) else context
        return (render_to_string(f"{prefix}_subject.txt", full), render_to_string(f"{prefix}_message.txt", full))

    email_rendered(to=to, language=language, render=render)


def _text(value) -> str:
    return str(value() if callable(value) else value)


def email_lines(*, to: str, language: str, subject, lines: Iterable) -> None:
    """A subject and paragraphs (lazy strings or callables), in `language`, on commit."""
    lines = list(lines)
    email_rendered(to=to, language=language,
                   render=lambda: (_text(subject), "\n\n".join(_text(line) for line in lines)))
