"""やさしい日本語 (plain Japanese): hand-written plain versions of the texts a peer meets, shown
when the person chose the plain wording (peers.preferences, `wording`) and reads Japanese.

One mechanism, two spellings, the plain text always written beside the standard one so that
whoever changes one sees the other:
- templates: `{% if plain_japanese %}…plain…{% else %}{% translate "…" %}{% endif %}`
  (`plain_japanese` comes from the display context processor);
- Python (messages, errors, emails): `plain(_("Standard text"), "やさしい ぶん")`, a lazy string
  that becomes the plain text when it is rendered for such a reader, else the translation.

Plain texts are Japanese only: short sentences, one idea each, common words; the page adds
furigana to them (plain wording implies furigana, peers.preferences.furigana_wanted). They are
not in the gettext catalogue because there is nothing to translate them into: an English
reader gets the standard English text.

Which reader: for a request, PlainWordingMiddleware remembers the request (read lazily, so a
request that renders no plain text never looks at the account); for an email,
`with plain_for(user):` around the rendering (peers.mail does it).
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.utils import translation
from django.utils.functional import lazy

__all__ = ["plain", "plain_active", "plain_for", "PlainWordingMiddleware"]

# The request being served, or a fixed answer while an email renders.
_reader: ContextVar[object] = ContextVar("kakehashi_plain_reader", default=None)


def plain_active() -> bool:
    """Whether what renders now should use the plain Japanese texts."""
    language = translation.get_language() or ""
    if not language.startswith("ja"):
        return False
    reader = _reader.get()
    if isinstance(reader, bool):
        return reader
    if reader is None:
        return False
    from .preferences import plain_wanted

    return plain_wanted(reader)


def _choose(standard, plain_text: str) -> str:
    return plain_text if plain_active() else str(standard)


plain = lazy(_choose, str)
plain.__doc__ = "A lazy text: `plain_text` for a reader of plain Japanese, else `standard` (translated)."


@contextlib.contextmanager
def plain_for(user):
    """Render emails for `user` (None: standard wording) inside this."""
    wanted = getattr(user, "wording", None) == "plain"
    token = _reader.set(wanted)
    try:
        yield
    finally:
        _reader.reset(token)


class PlainWordingMiddleware:
    """Remembers the request for `plain()` texts (after AuthenticationMiddleware). Every request
    sets it afresh, so nothing carries over between requests served by one thread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _reader.set(request)
        return self.get_response(request)
