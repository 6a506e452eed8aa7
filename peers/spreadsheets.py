"""CSV and Excel files, once for every app: reading what people upload and writing what they
download.

Reading (`read_table`, `read_date`): CSV in UTF-8 (with or without a byte-order mark) or
Shift_JIS as Excel in Japan saves it, or an .xlsx workbook's first sheet; dates as 2026-04-01,
2026/4/1, 2026年4月1日 or in the Japanese era (令和8年4月1日, R8.4.1), by the parser forms use
(peers.dates).

Writing (`respond`): the rows come from the same selectors as the pages, so what a file holds is
what the person may see there.

CSV is UTF-8 with a byte-order mark, which Excel in Japan needs to read Japanese. Every text cell
that a spreadsheet would take for a formula (starting with = + - @, a tab or a carriage return)
is written with a leading apostrophe, in both formats: a holder's name such as "=HYPERLINK(…)"
stays text (CSV formula injection, OWASP)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from .dates import parse_date

FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


MAX_ROWS = 5000


def _cell(value) -> str | datetime.date:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(name: str, raw: bytes, *, max_rows: int = MAX_ROWS) -> tuple[list[str], list[list]]:
    """The header (lower case) and the non-empty rows of an uploaded CSV or .xlsx file. Cells are
    text, or dates where Excel stored a date. A file that cannot be read, an empty one, or one
    with more than `max_rows` rows is a ValidationError that says so."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            rows = [[_cell(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
            workbook.close()
        except Exception as error:  # noqa: BLE001 - any unreadable workbook is the same answer
            raise ValidationError(_("This Excel file could not be read.")) from error
    else:
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("The file must be CSV in UTF-8 or Shift_JIS, or Excel (.xlsx)."))
        try:
            rows = [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error as error:
            raise ValidationError(_("The file must be CSV in UTF-8 or Shift_JIS, or Excel (.xlsx).")) from error
    rows = [row for row in rows if any(v not in ("", None) for v in row)]
    if not rows:
        raise ValidationError(_("The file is empty."))
    if len(rows) - 1 > max_rows:
        raise ValidationError(_("Please split the file: at most %(max)d rows at a time."), params={"max": max_rows})
    header = [str(h).strip().lower() for h in rows[0]]
    return header, rows[1:]


def read_date(value) -> datetime.date | None:
    """A cell as a date: empty is None; a date Excel stored is itself; text is read by the parser
    forms use (peers.dates: Western or era). Anything else raises its ValidationError, whose
    message says why (not a date, no such day, outside its era)."""
    if value in (None, ""):
        return None
    return parse_date(value if isinstance(value, datetime.date) else str(value))


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
