"""協議の場 indicators as one viewer may read them, and the body's annual report (PDF and Excel,
in Japanese).

Who: the body's coordinators and administrators, after two-step sign-in
(selectors.consultation_body_list_for). What is hidden: the comparisons' rule. Only people who may
see people (administrators, selectors.may_see_people) read the true counts; to everyone else an
attendance or a number of turns from 1 to 4 in a sector is "<5", the speaking time of such a
sector is "x" (it would tell how long one or two people spoke), and so is every total that
includes a hidden figure, and the peers' share when its count or the whole is hidden. An annual
report is made to be passed on, so a coordinator's copy is one that can be. Meetings and action
items count no people and are never hidden."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from collaboration.indicators import BodyIndicators, body_indicators
from collaboration.models import Sector
from peers.dates import fiscal_year_text

from .selectors import CONCEALED, SMALL, _small, consultation_body_list_for, may_see_people


@dataclass
class BodyReport:
    figures: BodyIndicators
    may_see: bool
    rows: list[dict]  # per sector: label, attendance, turns, minutes (int, "<5" or "x")
    totals: dict  # attendance, turns, minutes
    peer_share: object  # a percentage (float), "x", or None without attendance

    @property
    def body(self):
        return self.figures.body

    @property
    def year(self) -> int:
        return self.figures.year

    @property
    def hidden(self) -> bool:
        return any(v in (SMALL, CONCEALED) for r in self.rows for v in r.values()) or self.peer_share == CONCEALED

    @property
    def period_text(self) -> str:
        return fiscal_year_text(self.year)


def _minutes(seconds: int) -> int:
    return round(seconds / 60)


def body_report_get_for(user, pk: int, year: int) -> BodyReport | None:
    """The body's indicators for fiscal year `year` as this person may read them; None when the
    body is not one they coordinate (or does not exist)."""
    body = consultation_body_list_for(user).filter(pk=pk).first()
    if body is None:
        return None
    return body_report(body_indicators(body, year), may_see=may_see_people(user))


def body_report(figures: BodyIndicators, *, may_see: bool) -> BodyReport:
    rows, hide_att, hide_turns = [], False, False
    for s in figures.sectors:
        small_att = not may_see and _small(s.attendance)
        small_turns = not may_see and _small(s.turns)
        hide_att |= small_att
        hide_turns |= small_turns
        rows.append({
            "sector": s.sector, "label": s.label,
            "attendance": SMALL if small_att else s.attendance,
            "turns": SMALL if small_turns else s.turns,
            "minutes": CONCEALED if small_turns else _minutes(s.seconds),
        })
    totals = {
        "attendance": CONCEALED if hide_att else figures.attendance,
        "turns": CONCEALED if hide_turns else figures.turns,
        "minutes": CONCEALED if hide_turns else _minutes(figures.seconds),
    }
    peer = next(r for r in rows if r["sector"] == Sector.PEER)
    if figures.peer_share is None:
        share = None
    elif peer["attendance"] == SMALL or totals["attendance"] == CONCEALED:
        share = CONCEALED
    else:
        share = round(100 * figures.peer_share, 1)
    return BodyReport(figures, may_see, rows, totals, share)


# ---------------------------------------------------------------- the annual report
def _lines(report: BodyReport) -> dict:
    """The report's words and figures in the active language (the PDF and Excel share them)."""
    f = report.figures
    share = "—" if report.peer_share is None else (
        report.peer_share if report.peer_share == CONCEALED else f"{report.peer_share} %")
    return {
        "title": _("%(body)s: annual report %(year)s") % {"body": f.body.name, "year": report.period_text},
        "summary": [
            (_("Meetings held"), f.meetings_held),
            (_("Meetings scheduled, not yet held"), f.meetings_scheduled),
            (_("Attendance (people present, all meetings)"), report.totals["attendance"]),
            (_("Peers' share of the attendance"), share),
            (_("Speaking turns"), report.totals["turns"]),
            (_("Speaking time (minutes)"), report.totals["minutes"]),
            (_("Action items opened"), f.actions_opened),
            (_("Action items closed (done)"), f.actions_done),
            (_("Action items closed (dropped)"), f.actions_dropped),
            (_("Action items open now"), f.actions_open_now),
        ],
        "sector_header": [_("Sector"), _("Attendance"), _("Speaking turns"), _("Speaking time (minutes)")],
        "goals_title": _("Goals and how they were reviewed"),
        "goals_note": _("The platform records no goals for a consultation body. What the records hold: the body's "
                        "description, and the decisions recorded at its meetings in the year."),
        "description": f.body.description or _("No description recorded."),
        "decisions_title": _("Decisions recorded in the year"),
        "no_decisions": _("No decision was recorded in the year."),
        "hidden_note": _("<5: a count from 1 to 4. x: a figure hidden so that a small count cannot be worked out."),
        "source": _("From the platform's meeting records: meetings starting in the fiscal year (April to March, "
                    "Japan time) whose room was opened; action items dated by when they were made and by their "
                    "last change of status."),
    }


def _day(value) -> str:
    from django.utils import timezone

    day = timezone.localdate(value)
    return f"{day.year}年{day.month}月{day.day}日" if translation.get_language() == "ja" else day.isoformat()


def report_pdf(report: BodyReport, *, language: str = "ja") -> bytes:
    """The annual report as an A4 PDF with the Japanese font embedded."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    from peers.pdf import document_styles

    styles = document_styles()
    small, heading, title_style, p = styles["small"], styles["heading"], styles["title"], styles["para"]

    grid = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    with translation.override(language):
        words = _lines(report)
        flow = [p(words["title"], title_style), p(words["source"], small), Spacer(1, 4 * mm)]
        summary = Table([[p(k), p(v)] for k, v in words["summary"]], colWidths=[110 * mm, 70 * mm])
        summary.setStyle(TableStyle([*grid, ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke)]))
        flow.append(summary)
        flow.append(p(_("By sector"), heading))
        rows = [[p(h) for h in words["sector_header"]]]
        rows += [[p(r["label"]), p(r["attendance"]), p(r["turns"]), p(r["minutes"])] for r in report.rows]
        rows.append([p(_("Total")), p(report.totals["attendance"]), p(report.totals["turns"]),
                     p(report.totals["minutes"])])
        sectors = Table(rows, colWidths=[75 * mm, 35 * mm, 35 * mm, 35 * mm], repeatRows=1)
        sectors.setStyle(TableStyle([*grid, ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
        flow.append(sectors)
        if report.hidden:
            flow.append(p(words["hidden_note"], small))
        flow += [p(words["goals_title"], heading), p(words["goals_note"], small), p(words["description"])]
        flow.append(p(words["decisions_title"], heading))
        for at, text in report.figures.decisions:
            flow.append(p(f"{_day(at)}　{text}"))
        if not report.figures.decisions:
            flow.append(p(words["no_decisions"]))
        title = words["title"]
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=15 * mm, bottomMargin=15 * mm, title=title, author="Kakehashi")
    document.build(flow)
    return out.getvalue()


def report_rows(report: BodyReport, *, language: str = "ja") -> tuple[list, list[list]]:
    """The annual report as rows of a sheet (peers.spreadsheets writes it): the same figures."""
    with translation.override(language):
        words = _lines(report)
        header = [words["title"], ""]
        rows: list[list] = [[k, v] for k, v in words["summary"]]
        rows += [[], words["sector_header"]]
        rows += [[r["label"], r["attendance"], r["turns"], r["minutes"]] for r in report.rows]
        rows.append([_("Total"), report.totals["attendance"], report.totals["turns"], report.totals["minutes"]])
        if report.hidden:
            rows.append([_("Note"), words["hidden_note"]])
        rows += [[], [words["goals_title"]], [words["goals_note"]], [words["description"]], [],
                 [words["decisions_title"]]]
        rows += [[_day(at), text] for at, text in report.figures.decisions] or [[words["no_decisions"]]]
        rows += [[], [_("Source"), words["source"]]]
    return header, rows
