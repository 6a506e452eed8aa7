"""CSV and Excel files, once for every app. The rows come from the same selectors as the pages,
so what a file holds is what the person may see there.

CSV is UTF-8 with a byte-order mark, which Excel in Japan needs to read Japanese. Every text cell
that a spreadsheet would take for a formula (starting with = + - @, a tab or a carriage return)
is written with a leading apostrophe, in both formats: a holder's name such as "=HYPERLINK(…)"
stays text (CSV formula injection, OWASP)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse

FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """The value as a spreadsheet must show it: text that would start a formula gets a leading
    apostrophe; numbers and empty cells are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def respond(fmt: str, filename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """`fmt` "xlsx": an Excel workbook; otherwise CSV, streamed. `filename` without extension,
    ASCII."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff"
            yield writer.writerow([safe_cell(h) for h in header])
            for row in rows:
                yield writer.writerow([safe_cell(v) for v in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
