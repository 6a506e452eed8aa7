"""Japanese text analysis, offline: morphological analysis (fugashi + unidic-lite) and width
normalisation. The ground floor for everything that reads Japanese (redaction of minutes,
furigana, search): one Tagger per process, created on first use, and tokens that point back
into the original text by character offsets.

    >>> [t.surface for t in tokens("利用者の山田花子さん")]
    ['利用', '者', 'の', '山田', '花子', 'さん']
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Token", "tokens", "normalise", "normalise_with_offsets", "NormalisedText", "to_hiragana"]

_tagger = None
_tagger_lock = threading.Lock()
# MeCab's tagger keeps its lattice on the object: one parse at a time per Tagger.
_parse_lock = threading.Lock()


def _get_tagger():
    global _tagger
    if _tagger is None:
        with _tagger_lock:
            if _tagger is None:
                import fugashi  # imported here so that pages that never read Japanese never load it
                import unidic_lite

                _tagger = fugashi.Tagger(f'-d "{unidic_lite.DICDIR}"')
    return _tagger


_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


def to_hiragana(text: str) -> str:
    """Katakana to hiragana (ヴ becomes ゔ; the long-vowel mark ー stays)."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


@dataclass(frozen=True, slots=True)
class Token:
    """One morpheme. `start`/`end` are character offsets into the text given to `tokens()`,
    so `text[token.start:token.end] == token.surface` always holds."""

    surface: str
    lemma: str
    reading: str  # in hiragana; "" when the dictionary does not know the word
    pos: tuple[str, str, str, str]  # UniDic's 品詞 levels 1-4, "*" where unset
    start: int
    end: int
    is_unknown: bool = False

    @property
    def pos1(self) -> str:
        return self.pos[0]

    @property
    def pos2(self) -> str:
        return self.pos[1]

    @property
    def pos3(self) -> str:
        return self.pos[2]

    @property
    def pos4(self) -> str:
        return self.pos[3]

    @property
    def is_proper_noun(self) -> bool:
        return self.pos1 == "名詞" and self.pos2 == "固有名詞"

    @property
    def is_person_name(self) -> bool:
        """固有名詞/人名: a surname (姓), a given name (名) or a name UniDic cannot split (一般)."""
        return self.is_proper_noun and self.pos3 == "人名"

    @property
    def is_surname(self) -> bool:
        return self.is_person_name and self.pos4 == "姓"

    @property
    def is_given_name(self) -> bool:
        return self.is_person_name and self.pos4 == "名"


def _field(value) -> str:
    return value if value and value != "*" else ""


# UniDic's feature fields (unidic-lite: 26 of them), by position: 品詞 1-4, the lemma, the reading.
_LEMMA, _KANA, _FIELDS = 7, 17, 26


def _features(word) -> tuple:
    """The word's UniDic fields as a tuple. The raw CSV split directly (fugashi's `feature`
    builds a named tuple through a CSV parser: most of the analysis's time); through fugashi
    where a field is quoted (it holds a comma) or the fields are not UniDic's 26."""
    raw = word.feature_raw
    if '"' not in raw:
        fields = raw.split(",")
        if len(fields) == _FIELDS:
            return fields
        if len(fields) < _KANA + 1:  # an unknown word: 品詞 only (fugashi pads with None)
            return [*fields, *[None] * (_FIELDS - len(fields))]
    return list(word.feature)


def _lemma(feature, surface: str) -> str:
    lemma = _field(feature[_LEMMA])
    # UniDic writes loanwords' lemmas with their source word: "ピアー-peer", "スタッフ-staff".
    head, dash, tail = lemma.partition("-")
    if dash and head and tail.isascii():
        lemma = head
    return lemma or surface


def _safe_for_mecab(text: str) -> str:
    """The same text, same length, with what MeCab cannot take (NUL ends its C string; lone
    surrogates cannot be encoded; control characters) turned into spaces, which it skips."""
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cs") and ch != "\t" else ch for ch in text
    )


@lru_cache(maxsize=256)
def _analyse(text: str) -> tuple[Token, ...]:
    safe = _safe_for_mecab(text)
    out: list[Token] = []
    tagger = _get_tagger()
    with _parse_lock:
        words = [(w.surface, w.white_space, _features(w), w.is_unk) for w in tagger(safe)]
    cursor = 0
    for surface, white_space, feature, is_unknown in words:
        cursor += len(white_space)
        if not safe.startswith(surface, cursor):
            # Never expected; if MeCab ever skips something we did not predict, find the surface.
            found = safe.find(surface, cursor)
            if found < 0:
                continue
            cursor = found
        start, end = cursor, cursor + len(surface)
        cursor = end
        pos = tuple(_field(value) or "*" for value in feature[:4])
        kana = _field(feature[_KANA])
        out.append(Token(
            surface=text[start:end], lemma=_lemma(feature, text[start:end]), reading=to_hiragana(kana),
            pos=pos, start=start, end=end, is_unknown=bool(is_unknown),
        ))
    return tuple(out)


def tokens(text: str) -> list[Token]:
    """The morphemes of `text`, in order, with offsets into it. Whitespace is not a token
    (except the ideographic space, which UniDic tags 空白). Cached per text."""
    if not text:
        return []
    return list(_analyse(text))


# --- Width normalisation ------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFKC: full-width digits and letters to ASCII, half-width katakana to full width,
    ＠ to @, － to -."""
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """NFKC text that remembers where each of its characters came from, so that a pattern
    found in the normalised text is reported at its place in the original."""

    original: str
    text: str
    _starts: tuple[int, ...]
    _ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original for the normalised text[start:end] (end > start)."""
        return self._starts[start], self._ends[end - 1]


def _clusters(text: str):
    """A base character with the combining marks after it (half-width ｶﾞ is one cluster)."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text):
            yield start, i
        else:
            following = unicodedata.normalize("NFKC", text[i])
            if not (following and unicodedata.combining(following[0])):
                yield start, i
                start = i


@lru_cache(maxsize=64)
def normalise_with_offsets(text: str) -> NormalisedText:
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for a, b in _clusters(text) if text else ():
        piece = unicodedata.normalize("NFKC", text[a:b])
        parts.append(piece)
        starts.extend([a] * len(piece))
        ends.extend([b] * len(piece))
    return NormalisedText(original=text, text="".join(parts), _starts=tuple(starts), _ends=tuple(ends))
