"""Proposed redactions for the public version of minutes: never applied silently.

`propose_redactions(text, people)` finds what could identify a person and returns one
`Proposal` per span, each with its reason; the coordinator accepts or rejects each one and edits
the public text before publishing (services.minutes). Whole tokens only: every proposal starts
and ends on a morpheme boundary of `peers.japanese.tokens`, so `ピアスタッフ` is never cut into
`ピア` + `スタッフ` because a member's name begins with ピア.

What is proposed:
- members, invitees and presenters by their registered names: the full name with or without the
  space between its parts (山田 花子, 山田花子), and one part of it only when an honorific follows
  (山田さん, 花子様); the honorific stays outside the replacement;
- person names found by morphological analysis (UniDic's 固有名詞/人名, consecutive tokens taken
  together), and a proper noun directly followed by an honorific;
- email addresses, and Japanese telephone numbers by patterns that cannot match a date, a time
  or an amount (checked on the NFKC text, so full-width digits count; offsets are the original's).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from peers.japanese import Token, normalise, normalise_with_offsets, tokens


class Reason(StrEnum):
    MEMBER = "member"  # a member's, invitee's or presenter's registered name
    PERSON_NAME = "person_name"  # a person's name found by morphological analysis
    EMAIL = "email"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {
            Reason.MEMBER: _("Registered name of a member or invitee"),
            Reason.PERSON_NAME: _("Person's name (found by Japanese analysis)"),
            Reason.EMAIL: _("Email address"),
            Reason.PHONE: _("Phone number"),
        }[self]


# Lower is stronger when two proposals overlap.
_PRIORITY = {Reason.MEMBER: 0, Reason.EMAIL: 1, Reason.PHONE: 2, Reason.PERSON_NAME: 3}

HONORIFICS = frozenset({"さん", "様", "さま", "氏", "くん", "君", "ちゃん", "殿", "先生"})
# A surname directly followed by one of these is the name of a place, not of a person.
_ORGANISATION_NOUNS = frozenset({
    "病院", "医院", "クリニック", "診療所", "歯科", "薬局", "事務所", "法律事務所", "商店",
    "会社", "株式会社", "工務店", "学園", "学校", "小学校", "中学校", "高校", "大学", "駅", "町", "村",
})


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the minutes may name, with the replacement that stands for them."""

    names: tuple[str, ...]  # display name, name in kana, ... (parts separated by spaces)
    replacement: str


@dataclass(frozen=True, slots=True)
class Proposal:
    start: int
    end: int
    original: str
    replacement: str
    reason: Reason

    @property
    def key(self) -> str:
        """Identifies the proposal for one text (the form's checkbox value)."""
        return f"{self.start}-{self.end}"

    @property
    def reason_label(self) -> str:
        return self.reason.label


# --- Emails and phone numbers -------------------------------------------------------------

EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])",
    re.ASCII,
)

_HYPHEN = r"[-‐‑‒–—―−ー]"
# Never right after or before a digit, a separator between digits, or a decimal point: a date
# (2026-12-08, 2026/12/08), a time (14:00) or an amount (1,200,000) is not split into a number.
_SEPARATORS = r"[\-‐‑‒–—―−ー/.:,]"
_BEFORE = rf"(?<!\d)(?<!\d{_SEPARATORS})"
_AFTER = rf"(?!\d|{_SEPARATORS}\d)"
PHONE_RE = re.compile(
    _BEFORE + r"(?:"
    # 03-1234-5678, 045-678-9012, 0466-12-3456, 090-1234-5678, 0120-123-456
    rf"0\d{{1,4}}{_HYPHEN}\d{{1,4}}{_HYPHEN}\d{{3,4}}"
    # 03(1234)5678, (03)1234-5678
    rf"|0\d{{1,4}}\(\d{{1,4}}\)\d{{3,4}}|\(0\d{{1,4}}\)\s?\d{{1,4}}{_HYPHEN}?\d{{3,4}}"
    # 0312345678, 09012345678
    r"|0\d{9,10}"
    # +81-3-1234-5678, +81 90 1234 5678, +81(0)3-1234-5678
    rf"|\+81[\s\-‐−]?(?:\(0\)\s?)?\d{{1,4}}(?:{_HYPHEN}|\s)?\d{{1,4}}(?:{_HYPHEN}|\s)?\d{{3,4}}"
    r")" + _AFTER,
)


def _is_phone_number(found: str) -> bool:
    digits = re.sub(r"\D", "", found)
    if found.startswith("+81"):
        national = digits[2:].removeprefix("0")
        return len(national) in (9, 10)
    if not digits.startswith("0") or digits.startswith("00"):
        return False
    if len(digits) == 11:  # mobile, IP phones, 0800 free dial
        return digits[:3] in ("070", "080", "090", "050", "020") or digits.startswith("0800")
    return len(digits) == 10


def _pattern_proposals(text: str) -> list[Proposal]:
    norm = normalise_with_offsets(text)
    out = []
    for pattern, reason, check in ((EMAIL_RE, Reason.EMAIL, None), (PHONE_RE, Reason.PHONE, _is_phone_number)):
        for match in pattern.finditer(norm.text):
            if check is not None and not check(match.group()):
                continue
            start, end = norm.span(match.start(), match.end())
            replacement = _("[email removed]") if reason is Reason.EMAIL else _("[phone number removed]")
            out.append(Proposal(start, end, text[start:end], replacement, reason))
    return out


# --- Names --------------------------------------------------------------------------------

_SPACE = re.compile(r"[\s\u3000]+")


def _is_honorific(token: Token | None) -> bool:
    return token is not None and token.surface in HONORIFICS


def _name_patterns(person: Person) -> Iterable[tuple[re.Pattern, bool]]:
    """(pattern, needs an honorific after it) for each way the person's name is written."""
    for name in person.names:
        parts = [p for p in _SPACE.split(normalise(name).strip()) if p]
        if not parts or "@" in name:
            continue
        yield re.compile(r"[ \t\u3000]*".join(re.escape(p) for p in parts)), len(parts) == 1 and len(parts[0]) < 3
        if len(parts) > 1:
            for part in parts:
                yield re.compile(re.escape(part)), True


def _member_proposals(text: str, toks: list[Token], people: Iterable[Person]) -> list[Proposal]:
    norm = normalise_with_offsets(text)
    starts = {t.start: i for i, t in enumerate(toks)}
    ends = {t.end: i for i, t in enumerate(toks)}
    out = []
    for person in people:
        for pattern, needs_honorific in _name_patterns(person):
            for match in pattern.finditer(norm.text):
                start, end = norm.span(match.start(), match.end())
                if start not in starts or end not in ends:
                    continue  # inside a word: ピア in ピアスタッフ
                after = ends[end] + 1
                if needs_honorific and not _is_honorific(toks[after] if after < len(toks) else None):
                    continue
                out.append(Proposal(start, end, text[start:end], person.replacement, Reason.MEMBER))
    return out


def _gap_is_space(text: str, a: Token, b: Token) -> bool:
    gap = text[a.end:b.start]
    return gap == "" or (len(gap) <= 2 and gap.strip(" \u3000") == "")


def _analysed_name_proposals(text: str, toks: list[Token]) -> list[Proposal]:
    out = []
    i = 0
    while i < len(toks):
        token = toks[i]
        following = toks[i + 1] if i + 1 < len(toks) else None
        is_name = token.is_person_name or (token.is_proper_noun and _is_honorific(following)
                                           and not token.surface.isdigit())
        if not is_name:
            i += 1
            continue
        j = i
        while j + 1 < len(toks) and toks[j + 1].is_person_name and _gap_is_space(text, toks[j], toks[j + 1]):
            j += 1
        after = toks[j + 1] if j + 1 < len(toks) else None
        place = after is not None and after.start == toks[j].end and after.surface in _ORGANISATION_NOUNS
        if not place:
            start, end = token.start, toks[j].end
            out.append(Proposal(start, end, text[start:end], _("[name]"), Reason.PERSON_NAME))
        i = j + 1
    return out


def _without_overlaps(proposals: list[Proposal]) -> list[Proposal]:
    chosen: list[Proposal] = []
    for p in sorted(proposals, key=lambda p: (_PRIORITY[p.reason], -(p.end - p.start), p.start)):
        if all(p.end <= q.start or p.start >= q.end for q in chosen):
            chosen.append(p)
    return sorted(chosen, key=lambda p: p.start)


def propose_redactions(text: str, people: Iterable[Person] = ()) -> list[Proposal]:
    """Every span of `text` that could identify a person, in order, none overlapping."""
    if not text:
        return []
    toks = tokens(text)
    return _without_overlaps(
        _member_proposals(text, toks, people) + _analysed_name_proposals(text, toks) + _pattern_proposals(text)
    )


def apply_proposals(text: str, proposals: Iterable[Proposal], accepted: Collection[str] | None = None) -> str:
    """`text` with the accepted proposals (all when `accepted` is None) replaced."""
    out, cursor = [], 0
    for p in sorted(proposals, key=lambda p: p.start):
        if (accepted is not None and p.key not in accepted) or p.start < cursor:
            continue
        out.append(text[cursor:p.start])
        out.append(p.replacement)
        cursor = p.end
    out.append(text[cursor:])
    return "".join(out)


def highlighted(text: str, proposals: Iterable[Proposal]) -> list[tuple[str, Proposal | None]]:
    """The text cut into (piece, proposal or None), for templates to mark each proposal."""
    out, cursor = [], 0
    for p in sorted(proposals, key=lambda p: p.start):
        if p.start < cursor:
            continue
        if p.start > cursor:
            out.append((text[cursor:p.start], None))
        out.append((text[p.start:p.end], p))
        cursor = p.end
    if cursor < len(text):
        out.append((text[cursor:], None))
    return out
