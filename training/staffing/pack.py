"""The filing pack (届出) for a month: what the check answered and every record behind it — the
staff with their roles, completions (numbers that verify), form of contract, hours and FTE with
the work at co-located offices (兼務), the staff trainings and the publication — kept as a
snapshot (StaffingFiling) and written out as Excel and as PDF in Japanese (the embedded font
of the certificates)."""

from __future__ import annotations

import io

from django.utils import translation

from peers.models import Engagement

from .check import StaffingCheck, fte_text

ROLE_JA = {"peer": "障害者又は障害者であった者（ピアスタッフ）", "partner": "管理者又は協働する職員"}


def _ja(lazy) -> str:
    with translation.override("ja"):
        return str(lazy)


def _choice_ja(choices, value) -> str:
    return _ja(dict(choices).get(value, value)) if value else ""


def filing_snapshot(check: StaffingCheck) -> dict:
    """Everything the pack shows, as plain JSON (names as they were on the day)."""
    staff: dict[int, dict] = {}
    for addition in check.additions:
        for line in addition.people:
            entry = staff.setdefault(line.person.pk, {
                "person": line.person.pk, "name": line.person.display_name, "role": line.role,
                "role_label": line.role_label(), "completions": [
                    {**c, "completed_on": c["completed_on"].isoformat()} for c in line.completions
                ],
                "engagements": {}, "by_addition": {},
            })
            if len(line.completions) > len(entry["completions"]):
                entry["completions"] = [{**c, "completed_on": c["completed_on"].isoformat()} for c in line.completions]
            entry["by_addition"][addition.code] = {"counts": line.counts, "fte": line.fte_text,
                                                   "reasons": line.reasons}
            for item in line.engagements:
                e = item.engagement
                entry["engagements"][e.pk] = {
                    "office": item.organisation_name or check.organisation.name, "here": item.here,
                    "kind": e.kind, "kind_label": _choice_ja(Engagement.Kind.choices, e.kind),
                    "contract": e.contract_form, "contract_label": _choice_ja(Engagement.Contract.choices, e.contract_form),
                    "weekly_hours": str(e.weekly_hours) if e.weekly_hours is not None else "",
                    "full_time_weekly_hours": str(e.full_time_weekly_hours) if e.full_time_weekly_hours is not None else "",
                    "fte": fte_text(e.fte) if e.fte is not None else "",
                    "confirmed": e.is_confirmed, "on_leave": e.on_leave or getattr(e, "leave_in_month", False),
                    "start_date": e.start_date.isoformat(), "end_date": e.end_date.isoformat() if e.end_date else "",
                    "counted": item.counted, "reason": item.reason,
                }
    for entry in staff.values():
        entry["engagements"] = list(entry["engagements"].values())
    return {
        "organisation": {"id": check.organisation.pk, "name": check.organisation.name,
                         "corporation": check.organisation.corporation,
                         "prefecture": check.organisation.prefecture.name_ja},
        "month": check.month_text, "fiscal_year": check.fiscal_year,
        "designated_services": [{"code": s.code, "ja": s.name_ja, "en": s.name_en} for s in check.designated],
        "co_located": [{"id": pk, "name": name} for pk, name in sorted(check.co_located.items())],
        "additions": [{
            "code": a.code, "label": a.label, "rule_version": a.rule.label if a.rule else None,
            "eligible": a.eligible, "meets": a.meets, "units": a.units, "missing": a.missing,
            "service_users": a.service_users, "transitional": a.transitional,
            "counted_trainings": [t.pk for t in a.counted_trainings],
        } for a in check.additions],
        "staff": list(staff.values()),
        "trainings": [{
            "id": t.pk, "held_on": t.held_on.isoformat(), "title": t.title, "trainer": t.trainer,
            "given_by": [p.display_name for p in t.given_by.all()],
            "attendees": [p.display_name for p in t.attendees.all()],
            "materials": t.materials.name.rsplit("/", 1)[-1] if t.materials else "",
        } for t in check.trainings],
        "publication": {"published_on": check.publication.published_on.isoformat(), "where": check.publication.where}
        if check.publication else None,
        "service_users": check.delivery.service_users if check.delivery else None,
    }


def _yes(value: bool) -> str:
    return "はい" if value else "いいえ"


def _sections(snapshot: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """The pack as titled tables (Japanese): the same rows in Excel and PDF."""
    org = snapshot["organisation"]
    summary = [
        ["事業所", org["name"]], ["運営法人", org["corporation"]], ["都道府県", org["prefecture"]],
        ["対象月", snapshot["month"]], ["年度", f"{snapshot['fiscal_year']}年度"],
        ["指定サービス種別", "、".join(s["ja"] for s in snapshot["designated_services"]) or "（未登録）"],
        ["同一敷地内の同一法人の事業所（兼務）", "、".join(o["name"] for o in snapshot["co_located"]) or "なし"],
    ]
    for a in snapshot["additions"]:
        summary.append([a["label"]["ja"], f"{a['rule_version'] or '—'}　算定: {_yes(a['meets'])}　単位数: {a['units']}"
                        + (f"　利用者数: {a['service_users']}" if a["service_users"] is not None else "")])
        for item in a["missing"]:
            summary.append(["　不足", item["ja"]])
    staff_rows, hours_rows = [], []
    for s in snapshot["staff"]:
        completions = "\n".join(f"{c['course']} 修了番号 {c['number']}（{c['completed_on']}、{c['body']}）"
                                for c in s["completions"]) or "修了記録なし"
        verdicts = "\n".join(
            f"{a['label']['ja']}: {'算定可' if s['by_addition'].get(a['code'], {}).get('counts') else '算定不可'}"
            f"（常勤換算 {s['by_addition'].get(a['code'], {}).get('fte', '')}）"
            for a in snapshot["additions"] if a["code"] in s["by_addition"])
        reasons = "\n".join(dict.fromkeys(r["ja"] for v in s["by_addition"].values() for r in v["reasons"]))
        staff_rows.append([s["name"], ROLE_JA.get(s["role"], s["role"]), completions, verdicts, reasons])
        for e in s["engagements"]:
            hours_rows.append([
                s["name"], e["office"] + ("" if e["here"] else "（兼務）"), e["kind_label"], e["contract_label"],
                e["weekly_hours"], e["full_time_weekly_hours"], e["fte"], _yes(e["confirmed"]), _yes(e["on_leave"]),
                e["start_date"], e["end_date"], "算定" if e["counted"] else (e["reason"] or {}).get("ja", ""),
            ])
    training_rows = [[t["held_on"], t["title"], "、".join(t["given_by"]), t["trainer"], "、".join(t["attendees"]),
                      t["materials"]] for t in snapshot["trainings"]]
    publication = snapshot["publication"]
    publication_rows = [[publication["published_on"], publication["where"]]] if publication else [["（未公表）", ""]]
    return [
        ("概要", ["項目", "内容"], summary),
        ("職員一覧", ["氏名", "役割", "研修の修了（修了番号）", "算定", "理由"], staff_rows),
        ("勤務時間・常勤換算", ["氏名", "事業所", "従事の形態", "契約の形態", "週の所定時間", "常勤の週時間", "常勤換算",
                       "管理者の確認", "休職中", "開始日", "終了日", "算定"], hours_rows),
        ("職員研修の記録", ["実施日", "内容", "講師（配置職員）", "外部講師", "参加者", "資料"], training_rows),
        ("公表", ["公表日", "公表の方法・場所"], publication_rows),
    ]


def pack_xlsx(snapshot: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in _sections(snapshot):
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 24
            for cell in column:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pack_pdf(snapshot: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from ..certificates import register_font

    font = register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=7.5, leading=10, wordWrap="CJK")
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceBefore=6, spaceAfter=4)
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=20, spaceAfter=6)

    def cell(text) -> Paragraph:
        from xml.sax.saxutils import escape

        return Paragraph(escape(str(text)).replace("\n", "<br/>"), body)

    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                                 topMargin=12 * mm, bottomMargin=12 * mm,
                                 title=f"ピアサポート加算 届出資料 {snapshot['organisation']['name']} {snapshot['month']}")
    flow = [Paragraph(f"ピアサポート体制加算・ピアサポート実施加算 届出資料（{snapshot['month']}）", title)]
    width = landscape(A4)[0] - 24 * mm
    for name, header, rows in _sections(snapshot):
        flow.append(Paragraph(name, heading))
        data = [[cell(h) for h in header]] + [[cell(v) for v in row] for row in rows]
        table = Table(data, colWidths=[width / len(header)] * len(header), repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        flow += [table, Spacer(1, 4 * mm)]
    document.build(flow)
    return out.getvalue()


