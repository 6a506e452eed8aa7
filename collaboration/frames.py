"""Reading what a room's client sends: a bounded JSON decoder and checks for the values in it.

`json.loads` recurses once per nesting level, so a 16 KiB frame of `[[[[…` raises
RecursionError (not ValueError) deep inside the parser. The nesting is counted first, with one
regular expression over the text (strings skipped), and the frame is refused when it is deeper
than FRAME_MAX_DEPTH: no client frame needs more than two or three levels.
"""

from __future__ import annotations

import json
import re

FRAME_MAX_DEPTH = 20

# A JSON string (with its escapes) or one bracket; anything else is skipped.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# A lone surrogate cannot be stored (PostgreSQL refuses it, UTF-8 cannot encode it).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class FrameError(Exception):
    """A frame the room refuses, with the typed error code the client gets."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def too_deep(text: str, limit: int = FRAME_MAX_DEPTH) -> bool:
    """Whether arrays and objects nest more than `limit` levels in `text` (strings skipped)."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the common case costs two counts
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def decode_frame(raw: str | bytes) -> dict:
    """The frame as a dict with a string `type`, or FrameError: `not_json`, `too_deep`,
    `bad_frame`."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FrameError("not_json") from None
    if not isinstance(raw, str):
        raise FrameError("not_json")
    if too_deep(raw):
        raise FrameError("too_deep")
    try:
        content = json.loads(raw)
    except (ValueError, RecursionError):  # ValueError covers a 5,000-digit number too
        raise FrameError("not_json") from None
    if not isinstance(content, dict) or not isinstance(content.get("type"), str):
        raise FrameError("bad_frame")
    return content


def storable_text(value, *, code: str, default: str = "") -> str:
    """A text field of a frame: a JSON string (or absent), without NUL bytes or lone surrogates.
    Anything else (an object, an array, a number, true) is refused with `code`: it is never
    turned into Python's text of it."""
    if value is None:
        return default
    if not isinstance(value, str) or _UNSTORABLE.search(value):
        raise FrameError(code)
    return value


def sequence_number(value, *, highest: int) -> int:
    """A sequence number a client says it has seen: a whole number from 0 to the room's
    current number. Booleans, floats, strings, Infinity and anything beyond the room's counter
    are refused with `bad_last_seq`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise FrameError("bad_last_seq")
    if value < 0 or value > highest:
        raise FrameError("bad_last_seq")
    return value
