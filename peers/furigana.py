"""Furigana (ふりがな): readings over every word that has kanji, for pages and emails.

    >>> ruby_html("研修を受ける")
    '<ruby>研修<rp>(</rp><rt>けんしゅう</rt><rp>)</rp></ruby>を<ruby>受<rp>(</rp><rt>う</rt><rp>)</rp></ruby>ける'
    >>> ruby_text("研修を受ける")
    '研修(けんしゅう)を受(う)ける'

Readings come from the morphological analysis (peers.japanese), except for the words of the
domain dictionary (peers/data/furigana_readings.tsv), which win. The kana written in a word stay
outside the ruby (受ける: only 受 carries う). Person names get no reading: the analyser only
guesses them, and a wrong reading of someone's name is worse than none.

`ruby_document(html)` adds ruby to the text of a whole HTML page and keeps everything else as it
came: tags and attributes (so form values, links and aria labels) are written back untouched,
and no reading goes inside <head>, <script>, <style>, <code>, <pre>, <kbd>, <samp>, <textarea>,
<select>/<option>, <svg>, an existing <ruby>, nor inside an element marked `data-no-furigana`,
`translate="no"` or with a `lang` other than Japanese. Text without kanji (numbers, email
addresses, certificate numbers) is never touched. Each text is converted once per process
(lru cache), so a page costs one pass of the HTML parser.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from .japanese import to_hiragana, tokens

__all__ = ["has_kanji", "readings_dictionary", "ruby_html", "ruby_pieces", "ruby_text", "ruby_document",
           "ruby_parts"]

DICTIONARY_PATH = Path(__file__).resolve().parent / "data" / "furigana_readings.tsv"

# CJK ideographs (with extension A and the compatibility block) and the marks written as kanji.
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ"
_KANJI_RE = re.compile(f"[{_KANJI}]")
_KANJI_RUN_RE = re.compile(f"[{_KANJI}]+")


def has_kanji(text: str) -> bool:
    return _KANJI_RE.search(text) is not None


@lru_cache(maxsize=1)
def readings_dictionary() -> dict[str, str]:
    """The domain dictionary: word → reading in hiragana ("" for a word kept whole without one)."""
    entries: dict[str, str] = {}
    for line in DICTIONARY_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, reading = line.partition("\t")
        word, reading = word.strip(), to_hiragana(reading.strip())
        if not word:
            raise ValueError(f"{DICTIONARY_PATH.name}: a line without a word: {line!r}")
        entries[word] = reading
    return entries


@lru_cache(maxsize=1)
def _dictionary_re() -> re.Pattern | None:
    words = sorted(readings_dictionary(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


@lru_cache(maxsize=4096)
def ruby_parts(surface: str, reading: str) -> tuple[tuple[str, str], ...]:
    """`surface` cut into (text, reading) pieces: each run of kanji with its share of the
    reading, the kana around them with "". When the kana written in the word do not line up
    with the reading, the whole word carries the whole reading."""
    if not reading or not has_kanji(surface):
        return ((surface, ""),)
    pieces = re.split(f"([{_KANJI}]+)", surface)
    pattern = "".join(
        "(.+?)" if _KANJI_RUN_RE.fullmatch(piece) else re.escape(to_hiragana(piece))
        for piece in pieces if piece
    )
    match = re.fullmatch(pattern, reading)
    if match is None:
        return ((surface, reading),)
    out, groups = [], iter(match.groups())
    for piece in pieces:
        if piece:
            out.append((piece, next(groups) if _KANJI_RUN_RE.fullmatch(piece) else ""))
    return tuple(out)


def _words(text: str):
    """(surface, reading) for the whole of `text`, in order: the dictionary's words first, the
    analysis for the rest; what lies between tokens (spaces) comes with reading ""."""
    pattern = _dictionary_re()
    cursor = 0
    for match in pattern.finditer(text) if pattern else ():
        yield from _analysed(text[cursor:match.start()])
        yield match.group(), readings_dictionary()[match.group()]
        cursor = match.end()
    yield from _analysed(text[cursor:])


def _analysed(text: str):
    if not text:
        return
    if not has_kanji(text):
        yield text, ""
        return
    cursor = 0
    for token in tokens(text):
        if token.start > cursor:
            yield text[cursor:token.start], ""
        reading = "" if token.is_person_name else token.reading
        yield token.surface, reading
        cursor = token.end
    if cursor < len(text):
        yield text[cursor:], ""


@lru_cache(maxsize=8192)
def ruby_html(text: str) -> str:
    """`text` (plain, unescaped) as HTML with <ruby> over each word that has kanji."""
    if not has_kanji(text):
        return html.escape(text, quote=False)
    out = []
    for surface, reading in _words(text):
        for piece, rt in ruby_parts(surface, reading):
            if rt:
                out.append(f"<ruby>{html.escape(piece, quote=False)}<rp>(</rp><rt>{rt}</rt><rp>)</rp></ruby>")
            else:
                out.append(html.escape(piece, quote=False))
    return "".join(out)


def ruby_pieces(text: str) -> list:
    """`text` (plain) as the pieces a script builds ruby from, never HTML: strings for the text
    between readings and [base, reading] pairs, in order; joined, the strings and bases give
    `text` back exactly. The same readings as ruby_html (the live room sends these, and the
    page's script writes them with text nodes only, so a message can inject no markup)."""
    return [list(piece) if isinstance(piece, tuple) else piece for piece in _ruby_pieces(text)]


@lru_cache(maxsize=8192)
def _ruby_pieces(text: str) -> tuple:
    if not has_kanji(text):
        return (text,) if text else ()
    out: list = []
    for surface, reading in _words(text):
        for piece, rt in ruby_parts(surface, reading):
            if rt:
                out.append((piece, rt))
            elif out and isinstance(out[-1], str):
                out[-1] += piece
            elif piece:
                out.append(piece)
    return tuple(out)


# Addresses and links stay as they are in a text email (they never have kanji, but a link's
# path might, and it must still work when copied).
_KEEP_IN_TEXT_RE = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@lru_cache(maxsize=1024)
def ruby_text(text: str) -> str:
    """`text` for a plain-text email: each word with kanji followed by its reading in brackets,
    漢字(かんじ); links and email addresses as they were."""
    if not has_kanji(text):
        return text
    out, cursor = [], 0
    for match in _KEEP_IN_TEXT_RE.finditer(text):
        out.append(_ruby_text_part(text[cursor:match.start()]))
        out.append(match.group())
        cursor = match.end()
    out.append(_ruby_text_part(text[cursor:]))
    return "".join(out)


def _ruby_text_part(text: str) -> str:
    if not has_kanji(text):
        return text
    return "".join(
        f"{piece}({rt})" if rt else piece
        for surface, reading in _words(text) for piece, rt in ruby_parts(surface, reading)
    )


# --- Whole HTML pages ----------------------------------------------------------------------

_SKIP_TAGS = frozenset({
    "head", "script", "style", "code", "pre", "kbd", "samp", "var", "textarea", "select", "option",
    "optgroup", "datalist", "svg", "math", "ruby", "rt", "rp", "template", "noscript", "title",
})
_VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param",
})


def _skips(tag: str, attrs) -> bool:
    if tag in _SKIP_TAGS:
        return True
    for name, value in attrs:
        if name == "data-no-furigana" or (name == "translate" and (value or "").lower() == "no"):
            return True
        if name == "lang" and not (value or "").lower().startswith("ja"):
            return True
    return False


# Parsing every attribute is most of the HTML parser's time, and only three attributes matter
# here: a start tag that names none of them is read by its name alone.
_TAG_NAME_RE = re.compile(r"<([a-zA-Z][^\t\n\r\f />\x00]*)")
_ATTRIBUTES_THAT_MATTER = ("lang", "translate", "data-no-furigana")


class _RubyWriter(HTMLParser):
    """Writes the document back as it came, with ruby added to the text where allowed."""

    def __init__(self):
        super().__init__(convert_charrefs=False)  # text comes raw: entities are written back as they were
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipping inside it)

    @property
    def skipping(self) -> bool:
        return self.stack[-1][1] if self.stack else False

    def parse_starttag(self, i):
        endpos = self.check_for_whole_start_tag(i)
        if endpos < 0:
            return endpos
        text = self.rawdata[i:endpos]
        name = _TAG_NAME_RE.match(text)
        lowered = text.lower()
        if name is None or any(attribute in lowered for attribute in _ATTRIBUTES_THAT_MATTER):
            return super().parse_starttag(i)
        tag = name.group(1).lower()
        skips, closed = tag in _SKIP_TAGS, text.endswith("/>")
        self.lasttag = tag
        self.out.append(text)
        if not closed and tag not in _VOID_TAGS:
            self.stack.append((tag, self.skipping or skips))
        if not closed and tag in self.CDATA_CONTENT_ELEMENTS:
            self.set_cdata_mode(tag)
        return endpos

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag not in _VOID_TAGS:
            self.stack.append((tag, self.skipping or _skips(tag, attrs)))

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data):
        if self.skipping or not has_kanji(data):
            self.out.append(data)
        else:
            # Raw text holds no entity (they come through handle_entityref), so unescaping only
            # undoes what a template may have left, and ruby_html escapes again.
            self.out.append(ruby_html(html.unescape(data)))

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def parse_marked_section(self, i, report=1):
        # `<![CDATA[…]]>`, `<![if …]>`: written back exactly as they came (unknown_decl only
        # hears the inside, without telling which closing it had). One the parser cannot read
        # (`<![ 研修`) is kept as text rather than failing the page.
        try:
            end = super().parse_marked_section(i, report=0)
        except AssertionError:
            self.out.append(self.rawdata[i:i + 3])
            return i + 3
        if end >= 0:
            self.out.append(self.rawdata[i:end])
        return end


def ruby_document(document: str) -> str:
    """An HTML page (or fragment) with ruby over the words with kanji in its text."""
    if not has_kanji(document):
        return document
    writer = _RubyWriter()
    writer.feed(document)
    writer.close()
    # Whatever the parser still held (an unfinished tag at the very end) goes back as it was.
    return "".join(writer.out) + writer.rawdata
