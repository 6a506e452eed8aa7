"""Certificate and completion numbers: their formats, check codes and how typed input is read.

Pure functions with no model imports, so the data migration that gives existing completions
their check codes uses exactly the code the services use."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

CHECK_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CHECK_LENGTH = 3
BASE_NUMBER_RE = re.compile(r"^(?P<prefix>[A-Z][A-Z0-9]{0,9})-(?P<year>\d{4})-(?P<seq>\d{3,9})$")
NUMBER_RE = re.compile(r"^(?P<prefix>[A-Z][A-Z0-9]{0,9})-(?P<year>\d{4})-(?P<seq>\d{3,9})-(?P<check>[0-9A-Z]{3})$")
# Completions (修了) carry a C before the year: PSS-C2026-0001-7KQ.
COMPLETION_BASE_RE = re.compile(r"^(?P<prefix>[A-Z][A-Z0-9]{0,9})-C(?P<year>\d{4})-(?P<seq>\d{3,9})$")
COMPLETION_NUMBER_RE = re.compile(
    r"^(?P<prefix>[A-Z][A-Z0-9]{0,9})-C(?P<year>\d{4})-(?P<seq>\d{3,9})-(?P<check>[0-9A-Z]{3})$"
)

# What a Japanese keyboard gives for "-": after NFKC, the katakana prolonged sound mark and the
# dashes are still not an ASCII hyphen.
_HYPHENS = re.compile("[\u30fc\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u2043\u02d7]")
_SPACES = re.compile(r"\s+")


def number_check_code(*, secret: str, base: str) -> str:
    """Three characters from a keyed hash of the number: one guess in 32,768 is right, so
    numbers cannot be listed by counting, and a typo is caught."""
    digest = hmac.new(secret.encode(), base.encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:4], "big")
    chars = []
    for _i in range(CHECK_LENGTH):
        chars.append(CHECK_ALPHABET[value % 32])
        value //= 32
    return "".join(chars)


def number_normalise(number: str) -> str:
    """A number as typed (full-width, mixed, with spaces or Japanese dashes) in its one
    canonical form: NFKC, every dash a hyphen, no spaces, upper case."""
    text = unicodedata.normalize("NFKC", number or "")
    text = _HYPHENS.sub("-", text)
    return _SPACES.sub("", text).upper()


def number_kind(number: str) -> str | None:
    """"certification", "completion" or None for a normalised number, by its format alone."""
    if NUMBER_RE.match(number):
        return "certification"
    if COMPLETION_NUMBER_RE.match(number):
        return "completion"
    return None


def number_with_check(*, secret: str, base: str) -> str:
    return f"{base}-{number_check_code(secret=secret, base=base)}"


def number_check_matches(*, secret: str, number: str) -> bool:
    """Whether a well-formed number (either kind) carries the check code of `secret`."""
    base, check = number[: -(CHECK_LENGTH + 1)], number[-CHECK_LENGTH:]
    return hmac.compare_digest(number_check_code(secret=secret, base=base), check)
