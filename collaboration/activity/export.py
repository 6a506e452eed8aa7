"""CSV and Excel exports of the activity log. The rows come from the same selectors as the pages,
so the access rules are the same; reflections are never exported."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from .models import ActivityEntry


def entry_header(with_author: bool) -> list[str]:
    header = [
        _("Date"), _("Start time"), _("Duration (minutes)"), _("Organisation"), _("Kind of engagement"), _("Setting"),
        _("Activity type"), _("Mode"), _("Stage"), _("People supported"), _("Professionals worked with"),
        _("Effect on the person"), _("Effect on professionals"), _("Effect on the organisation"),
        _("Effect on the community"), _("Status"),
    ]
    return ([_("Recorded by")] if with_author else []) + header


def entry_rows(qs, with_author: bool) -> Iterator[list]:
    qs = qs.prefetch_related("professional_roles").order_by("-date", "-id")
    for e in qs.iterator(chunk_size=2000):
        row = [
            e.date.isoformat(), e.start_time.strftime("%H:%M") if e.start_time else "", e.duration_minutes,
            e.organisation.name, e.get_engagement_kind_display(), e.setting.name, e.activity.name,
            e.get_mode_display(), e.get_stage_display(), e.people_supported,
            " / ".join(r.name for r in e.professional_roles.all()),
            *("1" if getattr(e, f) else "" for f in
              ("level_person", "level_professionals", "level_organisation", "level_community")),
            e.get_status_display(),
        ]
        yield ([e.author.display_name] if with_author else []) + row


class _Echo:
    def write(self, value):
        return value


def respond(fmt: str, filename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """CSV (streamed, with a BOM so that Excel reads Japanese) or an .xlsx workbook."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff"
            yield writer.writerow(header)
            for row in rows:
                yield writer.writerow(row)

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def region_rows(report) -> tuple[list, list[list]]:
    header = [_("Table"), _("Label"), _("Entries"), _("Hours")]
    rows = []
    for title, table in ((_("Setting"), report.by_setting), (_("Activity type"), report.by_activity),
                         (_("Professional role"), report.by_role)):
        for r in table:
            rows.append([title, str(r["label"]), r["entries"], str(r["hours"])])
    return header, rows


__all__ = ["ActivityEntry", "entry_header", "entry_rows", "region_rows", "respond"]
