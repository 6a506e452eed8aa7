"""The Japanese font every PDF of the platform embeds (certificates, staffing packs, payment
statements): IPAexGothic, from Debian's fonts-ipaexfont-gothic in the production image
(KAKEHASHI_CERTIFICATE_FONT points at it) or from the `matplotlib-fontja` package on development
machines, so a document reads the same on any device (reportlab's built-in CID fonts are not
embedded)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "KakehashiJP"


def font_candidates() -> list[Path]:
    candidates = []
    configured = getattr(settings, "KAKEHASHI_CERTIFICATE_FONT", "")
    if configured:
        candidates.append(Path(configured))
    spec = importlib.util.find_spec("matplotlib_fontja")  # located, not imported (no matplotlib)
    if spec and spec.submodule_search_locations:
        candidates.append(Path(list(spec.submodule_search_locations)[0]) / "fonts" / "ipaexg.ttf")
    candidates += [
        Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
        Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
    ]
    return candidates


@lru_cache(maxsize=1)
def register_font() -> str:
    """Register the Japanese TrueType font with reportlab (once) and return its name."""
    for path in font_candidates():
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path)))
            return FONT_NAME
    raise ImproperlyConfigured(
        "No Japanese TrueType font for PDFs: install Debian's fonts-ipaexfont-gothic (or "
        "matplotlib-fontja), or set "
        "KAKEHASHI_CERTIFICATE_FONT to a .ttf file."
    )


def draw_with_readings(pdf, x: float, y: float, text: str, *, font: str, size: float,
                       centred: bool = False, readings: bool = False) -> float:
    """Draw one line of `text` at (x, y), or centred on x; with `readings`, each word with
    kanji carries its reading above it in half-size type (peers.furigana, the same readings as
    the pages). Returns where the line ends. Only for printed wording (titles, labels,
    statements): names, numbers, dates and addresses are drawn without readings by the caller."""
    from .furigana import has_kanji, ruby_pieces

    width = pdfmetrics.stringWidth(text, font, size)
    if centred:
        x -= width / 2
    pdf.setFont(font, size)
    if not readings or not has_kanji(text):
        pdf.drawString(x, y, text)
        return x + width
    # The line itself in one piece (so it is copied and read back as written), then each
    # reading centred over its kanji.
    pdf.drawString(x, y, text)
    pdf.setFont(font, size / 2)
    for piece in ruby_pieces(text):
        base, reading = (piece, "") if isinstance(piece, str) else piece
        base_width = pdfmetrics.stringWidth(base, font, size)
        if reading:
            pdf.drawCentredString(x + base_width / 2, y + size * 0.95, reading)
        x += base_width
    pdf.setFont(font, size)
    return x


def document_styles() -> dict:
    """The paragraph styles of the platform's A4 documents (payment statements, a body's annual
    report), in the embedded Japanese font: body, small, heading and title, and `para(text,
    style)`, plain text as a paragraph (escaped; line breaks kept)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    font = register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    styles = {
        "body": body,
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=11, wordWrap="CJK",
                                textColor=colors.HexColor("#444444")),
        "heading": ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4),
        "title": ParagraphStyle("title", fontName=font, fontSize=15, leading=21, spaceAfter=4),
    }

    def para(text, style=body) -> Paragraph:
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

    styles["para"] = para
    return styles
