"""Reading what a room's client sends: a bounded JSON decoder and checks for the values in it.

`json.loads` recurses once per nesting level, so a 16 KiB frame of `[[[[…` raises
RecursionError (not ValueError) deep inside the parser. The nesting is counted first, with one
regular expression over the text (strings skipped), and the frame is refused when it is deeper
than FRAME_MAX_DEPTH: no client frame needs more than two or three levels.

Frames of the room (/ws/meetings/<id>/); the consumer's docstring lists them all. Threads and
proposals (issue 18):

Threads. A message is named by its number in the room (`seq`), never by a database id.
- client `message {body, reply_to, agenda_item, content_note, ref}`: `reply_to` is the number
  of the message answered, a JSON whole number (or null for none). A string ("3"), true, 1.5, 0
  or a number beyond any id is refused with `bad_reply_to`; a number this room never gave out
  (a message of another meeting has no number here) with `not_found`; a deleted or hidden
  message with `reply_gone`. A refused reply changes nothing: no message, no number taken.
- server `message {..., reply_to, thread}`: `reply_to` is the number of the message answered,
  `thread` the number of the first message of its thread (a reply to a reply joins the thread of
  the message it answers), both null for a message that answers none. Replies take the room's
  next number like every message, so a client that reconnects gets them in order with the rest.

Proposals (an agenda item's proposal, decided by consensus or by a vote of the body's members).
- server `proposal {id, agenda_item, agenda_title, text, method ("consensus" | "vote"), secret, status ("open" |
  "decided" | "withdrawn"), voting, voted, members, majority ("more_agree" | "half_of_votes" |
  "two_thirds"), quorum ("none" | "half" | "two_thirds"), outcome (null | "adopted" | "rejected" |
  "no_quorum"), counts, votes, decision}`, to everyone in the room whenever a proposal is made, its vote opens,
  a member votes, its vote closes, it is decided or withdrawn. `voted` is how many members have
  voted, `members` how many sit on the body. `counts` ({agree, disagree, abstain}) is null until
  the vote is closed; `votes` ([{member, name, choice}]) is given only for an open ballot once
  decided, never for a secret one. `decision` is the id of the decision it became.
- client `vote {proposal, choice ("agree" | "disagree" | "abstain"), ref}`: members of the body
  only (`not_a_member`), once (`already_voted`), while the vote is open (`voting_not_open`).
- client `proposal_voting {proposal, action ("open" | "close"), ref}`: coordinators only
  (`forbidden`). Closing decides by the proposal's `majority` and `quorum` (the body's rules when
  it was made; a quorum counts members who voted, abstentions included).
- server `proposal_saved {proposal, vote, delivered, ref}`: to the sender, once saved.
- Other refusals: `bad_proposal` (no proposal of this meeting has that id), `not_by_vote`,
  `voting_open`, `voting_done`, `not_open`, `bad_choice`, each an `error {code, message, ref}`
  frame in the person's language.
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
