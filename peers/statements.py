"""Honorarium payments on paper and in spreadsheets: the person's yearly statement (PDF and CSV)
for their tax return, and the organisation's export per fiscal year.

The statement carries the fields of a 報酬、料金、契約金及び賞金の支払調書 that the records hold:
支払を受ける者 (the person, by the name they gave the platform), 区分 and 細目, 支払金額 and
源泉徴収税額, 支払者 (the organisation: its name, operator, where it is and its phone). It is
not the 支払調書 itself, which the payer files with the tax office: fields the platform does not
hold (the person's address, My Number, the payer's full address and corporate number) are named
as not recorded, never guessed.
"""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _

from .dates import era_year, fiscal_year_text


def _yen(value) -> str:
    return "" if value is None else f"{value:,}"


def _day(value, language: str) -> str:
    if value is None:
        return ""
    if language == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def calendar_year_text(year: int, language: str) -> str:
    """令和7年分 (2025) in Japanese, 2025 (Reiwa 7) in English: the tax year of a statement."""
    import datetime

    era = era_year(datetime.date(year, 12, 31)) if 1868 < year < 10000 else None
    if era is None:
        return f"{year}年分" if language == "ja" else str(year)
    name_ja, name_en, number = era
    if language == "ja":
        return f"{name_ja}{'元' if number == 1 else number}年分（{year}年）"
    return f"{year} ({name_en} {number})"


def statement_labels() -> dict:
    """The statement's words in the active language (the 支払調書's own terms in brackets)."""
    return {
        "payee": _("Person paid (支払を受ける者)"),
        "name": _("Name (氏名)"),
        "address": _("Address (住所)"),
        "number": _("My Number (個人番号)"),
        "not_recorded": _("not recorded on the platform"),
        "payer": _("Payer (支払者)"),
        "payer_name": _("Name (名称)"),
        "payer_address": _("Location (所在地)"),
        "payer_phone": _("Phone (電話)"),
        "category": _("Kind (区分)"),
        "detail": _("Detail (細目)"),
        "occasion": _("Date of the occasion"),
        "paid_on": _("Paid on"),
        "amount": _("Amount paid (支払金額, yen)"),
        "tax": _("Income tax withheld (源泉徴収税額, yen)"),
        "total": _("Total"),
        "tax_not_recorded": _("not recorded"),
    }


def statement_pdf(statement: dict, *, language: str = "ja") -> bytes:
    """The yearly statement as an A4 PDF with the Japanese font embedded."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    from .pdf import document_styles

    styles = document_styles()
    small, heading, title_style, p = styles["small"], styles["heading"], styles["title"], styles["para"]

    with translation.override(language):
        labels = statement_labels()
        year_text = calendar_year_text(statement["year"], language)
        title = _("Honorarium payments %(year)s: statement for your tax return") % {"year": year_text}
        note = _(
            "This statement lists the honoraria recorded as paid to you in the year (January to December), "
            "with the fields of the payment statement (報酬、料金、契約金及び賞金の支払調書). It is not the "
            "支払調書 itself: ask the payer for it if you need it. Fields the platform does not hold are "
            "marked as not recorded."
        )
        person = statement["person"]
        flow = [p(title, title_style), p(note, small), Spacer(1, 4 * mm), p(labels["payee"], heading)]
        payee = Table([
            [p(labels["name"]), p(person.display_name)],
            [p(labels["address"]), p(labels["not_recorded"], small)],
            [p(labels["number"]), p(labels["not_recorded"], small)],
        ], colWidths=[50 * mm, 130 * mm])
        payee.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                   ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke)]))
        flow.append(payee)
        if not statement["payers"]:
            flow += [Spacer(1, 4 * mm), p(_("No honorarium was recorded as paid to you in this year."))]
        for payer in statement["payers"]:
            flow.append(p(labels["payer"], heading))
            payer_name = payer["name"] + (f"（{payer['corporation']}）" if payer["corporation"] else "")
            about = Table([
                [p(labels["payer_name"]), p(payer_name)],
                [p(labels["payer_address"]), p(payer["address"] or labels["not_recorded"])],
                [p(labels["payer_phone"]), p(payer["phone"] or labels["not_recorded"])],
            ], colWidths=[50 * mm, 130 * mm])
            about.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                       ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke)]))
            flow += [about, Spacer(1, 3 * mm)]
            rows = [[p(labels[k]) for k in ("category", "detail", "occasion", "paid_on", "amount", "tax")]]
            for payment in payer["payments"]:
                rows.append([
                    p(payment.category or "—"), p(payment.description), p(_day(payment.occasion_date, language)),
                    p(_day(payment.paid_on, language)), p(_yen(payment.amount)),
                    p(_yen(payment.withholding_tax) if payment.withholding_tax is not None else labels["tax_not_recorded"]),
                ])
            rows.append([p(labels["total"]), "", "", "", p(_yen(payer["amount"])),
                         p(_yen(payer["withholding_tax"]) if payer["withholding_tax"] is not None
                           else labels["tax_not_recorded"])])
            table = Table(rows, colWidths=[22 * mm, 58 * mm, 26 * mm, 26 * mm, 24 * mm, 24 * mm], repeatRows=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("SPAN", (0, -1), (3, -1)), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            flow.append(table)
        if len(statement["payers"]) > 1:
            flow += [Spacer(1, 4 * mm), p(_("All payers together: %(amount)s yen paid, %(tax)s yen withheld.") % {
                "amount": _yen(statement["amount"]),
                "tax": _yen(statement["withholding_tax"]) if statement["withholding_tax"] is not None
                else labels["tax_not_recorded"]})]
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=15 * mm, bottomMargin=15 * mm, title=title, author="Kakehashi")
    document.build(flow)
    return out.getvalue()


def statement_header() -> list[str]:
    labels = statement_labels()
    return [str(_("Year (January to December)")), labels["payee"], labels["payer"], labels["payer_address"], labels["payer_phone"],
            labels["category"], labels["detail"], labels["occasion"], labels["paid_on"], labels["amount"],
            labels["tax"]]


def statement_rows(statement: dict) -> list[list]:
    """One row per payment, then one total row per payer (the CSV of the statement)."""
    rows = []
    name = statement["person"].display_name
    for payer in statement["payers"]:
        for payment in payer["payments"]:
            rows.append([statement["year"], name, payer["name"], payer["address"], payer["phone"], payment.category,
                         payment.description, payment.occasion_date, payment.paid_on, payment.amount,
                         "" if payment.withholding_tax is None else payment.withholding_tax])
        rows.append([statement["year"], name, payer["name"], payer["address"], payer["phone"], str(_("Total")),
                     "", "", "", payer["amount"], "" if payer["withholding_tax"] is None else payer["withholding_tax"]])
    return rows


def organisation_export_header() -> list[str]:
    return [str(_("Number")), str(_("Fiscal year")), str(_("Person")), str(_("Kind (区分)")),
            str(_("Detail (細目)")), str(_("Date of the occasion")), str(_("Amount (yen)")),
            str(_("Income tax withheld (yen)")), str(_("Status")), str(_("Paid on")), str(_("Recorded from"))]


def organisation_export_rows(payments, year: int):
    """Rows of the organisation's export for a fiscal year (payments from its selector)."""
    year_text = fiscal_year_text(year)
    for payment in payments:
        yield [payment.pk, year_text, payment.person.display_name, payment.category, payment.description,
               payment.occasion_date, payment.amount,
               "" if payment.withholding_tax is None else payment.withholding_tax,
               payment.get_status_display(), payment.paid_on or "", payment.get_source_display()]


__all__ = ["calendar_year_text", "organisation_export_header", "organisation_export_rows",
           "statement_header", "statement_labels", "statement_pdf", "statement_rows"]
