"""Certificates as PDF (reportlab): A4 landscape and card size, Japanese or English, with a QR
code to the public verification page. The Japanese font is embedded (IPAexGothic, shipped by
the `matplotlib-fontja` package), so the certificate reads the same on any device."""

from __future__ import annotations

import importlib.util
import io
from functools import lru_cache
from pathlib import Path

import qrcode
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_NAME = "KakehashiJP"
CARD = (85.6 * mm, 54 * mm)  # ISO/IEC 7810 ID-1


def _font_candidates() -> list[Path]:
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
    for path in _font_candidates():
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path)))
            return FONT_NAME
    raise ImproperlyConfigured(
        "No Japanese TrueType font for certificates: install matplotlib-fontja or set "
        "KAKEHASHI_CERTIFICATE_FONT to a .ttf file."
    )


def _qr(url: str) -> ImageReader:
    image = qrcode.make(url, box_size=8, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def _date(value, language: str) -> str:
    if value is None:
        return _("No expiry")
    if language == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%d %B %Y")


def certification_pdf(certification, *, verify_url: str, language: str = "ja", size: str = "a4") -> bytes:
    """The certificate of a certification; `size` is "a4" (landscape) or "card"."""
    font = register_font()
    with translation.override(language):
        fields = {
            "title": _("Certificate"),
            "holder": certification.holder.display_name,
            "type": certification.credential_type.name,
            "number_label": _("Certificate number"),
            "number": certification.number,
            "issued_label": _("First issued"),
            "issued": _date(certification.issued_on, language),
            "valid_label": _("Valid until"),
            "valid": _date(certification.valid_until, language),
            "body": str(certification.body),
            "statement": _("This is to certify that the person named above holds this credential."),
            "verify": _("Check this certificate at"),
        }
    buffer = io.BytesIO()
    if size == "card":
        pdf = canvas.Canvas(buffer, pagesize=CARD)
        width, height = CARD
        pdf.setTitle(f"{fields['title']} {certification.number}")
        pdf.setFont(font, 7)
        pdf.drawString(4 * mm, height - 6 * mm, fields["body"])
        pdf.setFont(font, 11)
        pdf.drawString(4 * mm, height - 13 * mm, fields["type"][:24])
        pdf.setFont(font, 13)
        pdf.drawString(4 * mm, height - 21 * mm, fields["holder"])
        pdf.setFont(font, 7)
        pdf.drawString(4 * mm, 17 * mm, f"{fields['number_label']}: {fields['number']}")
        pdf.drawString(4 * mm, 12 * mm, f"{fields['issued_label']}: {fields['issued']}")
        pdf.drawString(4 * mm, 7 * mm, f"{fields['valid_label']}: {fields['valid']}")
        pdf.drawImage(_qr(verify_url), width - 24 * mm, 4 * mm, 20 * mm, 20 * mm)
        pdf.roundRect(1 * mm, 1 * mm, width - 2 * mm, height - 2 * mm, 3 * mm)
    else:
        pagesize = landscape(A4)
        pdf = canvas.Canvas(buffer, pagesize=pagesize)
        width, height = pagesize
        pdf.setTitle(f"{fields['title']} {certification.number}")
        pdf.setLineWidth(2)
        pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        pdf.setFont(font, 32)
        pdf.drawCentredString(width / 2, height - 45 * mm, fields["title"])
        pdf.setFont(font, 16)
        pdf.drawCentredString(width / 2, height - 62 * mm, fields["type"])
        pdf.setFont(font, 26)
        pdf.drawCentredString(width / 2, height - 85 * mm, fields["holder"])
        pdf.setFont(font, 12)
        pdf.drawCentredString(width / 2, height - 100 * mm, fields["statement"])
        y = 62 * mm
        for label, value in (
            (fields["number_label"], fields["number"]),
            (fields["issued_label"], fields["issued"]),
            (fields["valid_label"], fields["valid"]),
        ):
            pdf.drawString(30 * mm, y, f"{label}: {value}")
            y -= 8 * mm
        pdf.setFont(font, 14)
        pdf.drawString(30 * mm, 30 * mm, fields["body"])
        pdf.drawImage(_qr(verify_url), width - 70 * mm, 25 * mm, 40 * mm, 40 * mm)
        pdf.setFont(font, 8)
        pdf.drawCentredString(width - 50 * mm, 21 * mm, fields["verify"])
        pdf.drawCentredString(width - 50 * mm, 17 * mm, verify_url[:80])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def completion_pdf(completion, *, language: str = "ja") -> bytes:
    """修了証: the completion certificate (completions do not expire)."""
    font = register_font()
    with translation.override(language):
        title = _("Certificate of completion")
        statement = _("has completed the course above.")
        number_label = _("Completion number")
        date_label = _("Completed on")
    buffer = io.BytesIO()
    pagesize = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=pagesize)
    width, height = pagesize
    pdf.setTitle(f"{title} {completion.number}")
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setFont(font, 30)
    pdf.drawCentredString(width / 2, height - 45 * mm, title)
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, height - 62 * mm, completion.course.title)
    pdf.setFont(font, 24)
    pdf.drawCentredString(width / 2, height - 85 * mm, completion.person.display_name)
    pdf.setFont(font, 12)
    pdf.drawCentredString(width / 2, height - 100 * mm, statement)
    pdf.drawString(30 * mm, 50 * mm, f"{number_label}: {completion.number}")
    pdf.drawString(30 * mm, 42 * mm, f"{date_label}: {_date(completion.completed_on, language)}")
    pdf.setFont(font, 14)
    pdf.drawString(30 * mm, 28 * mm, str(completion.body))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
