"""Certificates as PDF (reportlab): A4 landscape and card size, Japanese or English, with a QR
code to the public verification page. The Japanese font is embedded (IPAexGothic), so the
certificate reads the same on any device: Debian's fonts-ipaexfont-gothic in the production image
(settings.KAKEHASHI_CERTIFICATE_FONT names its file), else the same font shipped by the
`matplotlib-fontja` package that `make setup` installs."""

from __future__ import annotations

import io

import qrcode
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from peers.pdf import FONT_NAME, draw_with_readings, font_candidates, register_font  # noqa: F401 - FONT_NAME, as before

CARD = (85.6 * mm, 54 * mm)  # ISO/IEC 7810 ID-1


# The font is the ground floor's (peers.pdf), shared with every PDF of the platform.
_font_candidates = font_candidates


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
    return f"{value.day} {value.strftime('%B %Y')}"


# What a certificate generated now may be, by the certification's status at that moment.
PLAIN_STATUSES = {"active", "expiring"}  # the plain certificate
# Revoked: no document at all. The body withdrew the credential, and a page laid out as a
# certificate, even marked, is what would be shown in its place; the verification page says
# the truth to anyone who asks. Grace, lapsed and suspended get the marked document: the
# person did hold the credential and may need to show that (renewing late, a suspension
# under review), and the marking says across the page that it is not valid now.
REFUSED_STATUSES = {"revoked"}


def certificate_refused(verification) -> bool:
    return verification.status in REFUSED_STATUSES


def _marking(verification, today) -> dict:
    """The words marked across a certificate whose certification is not valid now, in Japanese
    and in English whatever the certificate's language."""
    from .selectors import VERDICTS

    words, lines = [], []
    for language in ("ja", "en"):
        with translation.override(language):
            word = str(VERDICTS[verification.status])
            words.append(word if language == "ja" else word.upper())
            lines.append(
                _("Status on %(today)s: %(status)s since %(since)s. This certification is not valid now.")
                % {"today": _date(today, language), "status": word,
                   "since": _date(verification.status_since, language)}
            )
            if verification.status == "grace":
                lines.append(_("It can still be renewed until %(date)s.")
                             % {"date": _date(verification.certification.grace_until, language)})
    return {"word": " ".join(words), "lines": lines}


def _draw_marking(pdf, marking: dict, width: float, height: float, *, font: str, big: float, small: float,
                  top: float) -> None:
    """A large diagonal word across the page, and a framed banner with the status and its date."""
    pdf.saveState()
    pdf.setFillColorRGB(0.64, 0.15, 0.12, alpha=0.35)
    pdf.translate(width / 2, height / 2)
    pdf.rotate(28)
    pdf.setFont(font, big)
    pdf.drawCentredString(0, -big / 3, marking["word"])
    pdf.restoreState()
    pdf.saveState()
    banner_height = small * 1.5 * len(marking["lines"]) + small
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setStrokeColorRGB(0.64, 0.15, 0.12)
    pdf.setLineWidth(2)
    pdf.rect(width * 0.06, top - banner_height, width * 0.88, banner_height, fill=1, stroke=1)
    pdf.setFillColorRGB(0.64, 0.15, 0.12)
    pdf.setFont(font, small)
    y = top - small * 1.4
    for line in marking["lines"]:
        pdf.drawCentredString(width / 2, y, line)
        y -= small * 1.5
    pdf.restoreState()


def _draw_credential_qr(pdf, credential_url: str, width: float, font: str) -> None:
    """A smaller QR beside the verification one, to the holder's digital credential (Open
    Badges 3.0): scanned by the holder, it downloads the credential into their phone's wallet
    once they are signed in."""
    pdf.drawImage(_qr(credential_url), width - 108 * mm, 31 * mm, 28 * mm, 28 * mm)
    pdf.setFont(font, 8)
    pdf.drawCentredString(width - 94 * mm, 27 * mm, _("Digital credential (for the holder)"))


def certification_pdf(certification, *, verify_url: str, language: str = "ja", size: str = "a4",
                      verification=None, credential_url: str = "", readings: bool = False) -> bytes:
    """The certificate of a certification as it stands at this moment; `size` is "a4"
    (landscape) or "card". Active or due for renewal: the plain certificate. In grace, lapsed
    or suspended: the same page marked across with the status and the date it began, in
    Japanese and English, and no statement that the person holds the credential. Callers
    refuse a revoked one (certificate_refused) before asking for a page. `readings`: furigana
    over the printed Japanese wording of the A4 page (the holder's own copy, when they read
    with furigana); never over the name, the number, the dates or the address, nor on the card,
    whose type is too small to carry them."""
    from django.utils import timezone

    from .selectors import certification_verification

    verification = verification or certification_verification(certification)
    if certificate_refused(verification):
        raise ValueError("A revoked certification has no certificate.")
    today = timezone.localdate()
    marking = None if verification.status in PLAIN_STATUSES else _marking(verification, today)
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
            "statement": _("This is to certify that the person named above holds this credential.") if marking is None
            else _("The person named above was certified. See the status marked on this page."),
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
        if marking:
            _draw_marking(pdf, marking, width, height, font=font, big=22, small=4.2, top=height - 23 * mm)
    else:
        readings = readings and language == "ja"
        pagesize = landscape(A4)
        pdf = canvas.Canvas(buffer, pagesize=pagesize)
        width, height = pagesize
        pdf.setTitle(f"{fields['title']} {certification.number}")
        pdf.setLineWidth(2)
        pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        draw_with_readings(pdf, width / 2, height - 45 * mm, fields["title"], font=font, size=32,
                           centred=True, readings=readings)
        draw_with_readings(pdf, width / 2, height - 62 * mm, fields["type"], font=font, size=16,
                           centred=True, readings=readings)
        pdf.setFont(font, 26)
        pdf.drawCentredString(width / 2, height - 85 * mm, fields["holder"])
        draw_with_readings(pdf, width / 2, height - 100 * mm, fields["statement"], font=font, size=12,
                           centred=True, readings=readings)
        _draw_facts(pdf, [
            (fields["number_label"], fields["number"]),
            (fields["issued_label"], fields["issued"]),
            (fields["valid_label"], fields["valid"]),
        ], top=62 * mm, font=font, readings=readings)
        draw_with_readings(pdf, 30 * mm, 30 * mm, fields["body"], font=font, size=14, readings=readings)
        pdf.drawImage(_qr(verify_url), width - 70 * mm, 25 * mm, 40 * mm, 40 * mm)
        pdf.setFont(font, 8)
        pdf.drawCentredString(width - 50 * mm, 21 * mm, fields["verify"])
        pdf.drawCentredString(width - 50 * mm, 17 * mm, verify_url[:80])
        if credential_url:
            with translation.override(language):
                _draw_credential_qr(pdf, credential_url, width, font)
        if marking:
            _draw_marking(pdf, marking, width, height, font=font, big=90, small=11, top=height - 104 * mm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_facts(pdf, facts, *, top: float, font: str, readings: bool) -> None:
    """"Label: value" lines, 8 mm apart; readings over the label only."""
    y = top
    for label, value in facts:
        end = draw_with_readings(pdf, 30 * mm, y, label, font=font, size=12, readings=readings)
        pdf.setFont(font, 12)
        pdf.drawString(end, y, f": {value}")
        y -= 8 * mm


def completion_pdf(completion, *, verify_url: str, language: str = "ja", credential_url: str = "",
                   readings: bool = False) -> bytes:
    """修了証: the completion certificate (completions do not expire). It carries the day the
    course was completed (Completion.completed_on, the cohort's last day), never the day it
    is printed, the hours, and a QR code to the public verification page. `readings` as for
    certification_pdf."""
    readings = readings and language == "ja"
    font = register_font()
    with translation.override(language):
        title = _("Certificate of completion")
        statement = _("has completed the course above.")
        number_label = _("Completion number")
        date_label = _("Completed on")
        hours_label = _("Hours")
        hours = _("%(hours)s hours") % {"hours": f"{completion.hours.normalize():f}"}
        verify = _("Check this certificate at")
        completed_on = _date(completion.completed_on, language)
    buffer = io.BytesIO()
    pagesize = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=pagesize)
    width, height = pagesize
    pdf.setTitle(f"{title} {completion.number}")
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    draw_with_readings(pdf, width / 2, height - 45 * mm, title, font=font, size=30, centred=True,
                       readings=readings)
    draw_with_readings(pdf, width / 2, height - 62 * mm, completion.course.title, font=font, size=16,
                       centred=True, readings=readings)
    pdf.setFont(font, 24)
    pdf.drawCentredString(width / 2, height - 85 * mm, completion.person.display_name)
    draw_with_readings(pdf, width / 2, height - 100 * mm, statement, font=font, size=12, centred=True,
                       readings=readings)
    _draw_facts(pdf, [(number_label, completion.number), (date_label, completed_on), (hours_label, hours)],
                top=58 * mm, font=font, readings=readings)
    draw_with_readings(pdf, 30 * mm, 28 * mm, str(completion.body), font=font, size=14, readings=readings)
    pdf.drawImage(_qr(verify_url), width - 70 * mm, 25 * mm, 40 * mm, 40 * mm)
    pdf.setFont(font, 8)
    pdf.drawCentredString(width - 50 * mm, 21 * mm, verify)
    pdf.drawCentredString(width - 50 * mm, 17 * mm, verify_url[:80])
    if credential_url:
        with translation.override(language):
            _draw_credential_qr(pdf, credential_url, width, font)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
