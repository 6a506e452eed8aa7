"""Keyset pagination: no COUNT of the whole table and no deep OFFSET, whatever the row count.

A page is `size` rows after the cursor (the ordering values of the last row seen), fetched with
one query of size + 1 rows so that we know whether another page follows.

A cursor is only ever one we gave out; anything else is refused before it reaches the database
(`BadCursor`): the API answers 400 (`KakehashiAPIView.page`), a page shows its first page with a
notice (`keyset_page_for_request`, rendered by peers/_pager.html).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from .request_params import BadParameter, bad_cursor_message, no_control_characters, read_cursor

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None
    cursor_refused: bool = False  # a bad cursor was given, so this is the first page


class BadCursor(ValueError):
    """A cursor that we did not give out (or that no longer fits the ordering)."""

    message = bad_cursor_message()


def _encode(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime.date | datetime.datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _model_field(model, path: str):
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(parts[-1])


def _decode(cursor: str, qs: QuerySet, fields: list[str]) -> list:
    """The ordering values a cursor carries, each read and validated by its model field (type,
    range, a real date, no control characters), or BadCursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise BadCursor from None
    if not isinstance(raw, list) or len(raw) != len(fields):
        raise BadCursor
    values = []
    for name, value in zip(fields, raw, strict=True):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise BadCursor
        field = _model_field(qs.model, name.lstrip("-"))
        try:
            no_control_characters(value)
            value = field.to_python(value)
            field.run_validators(value)
        except (ValidationError, TypeError, ValueError, OverflowError):
            raise BadCursor from None
        values.append(value)
    return values


def _value(obj, name: str):
    for part in name.lstrip("-").split("__"):
        obj = getattr(obj, part)
    return obj


def keyset_page(qs: QuerySet, *, fields: list[str], cursor: str | None, size: int = DEFAULT_PAGE_SIZE) -> KeysetPage:
    """Rows of `qs` ordered by `fields` (each ascending, or descending with "-"; the last must be
    unique, such as "id"), starting after `cursor`. A cursor we did not give out raises BadCursor
    (before any query)."""
    size = max(1, min(int(size or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE))
    qs = qs.order_by(*fields)
    values = _decode(cursor, qs, fields) if cursor else None
    if values is not None:
        condition = Q()
        for i, name in enumerate(fields):
            key = name.lstrip("-")
            step = Q(**{f"{key}__{'lt' if name.startswith('-') else 'gt'}": values[i]})
            for j in range(i):
                step &= Q(**{fields[j].lstrip("-"): values[j]})
            condition |= step
        qs = qs.filter(condition)
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = _encode([_value(rows[-1], name) for name in fields])
    return KeysetPage(items=rows, next_cursor=next_cursor)


def keyset_page_for_request(request, qs: QuerySet, *, fields: list[str], param: str = "after",
                            size: int = DEFAULT_PAGE_SIZE) -> KeysetPage:
    """For pages: the page after the cursor in `request.GET[param]`; a bad cursor gives the first
    page with `cursor_refused` set, which peers/_pager.html shows as a notice."""
    try:
        return keyset_page(qs, fields=fields, cursor=read_cursor(request.GET, param), size=size)
    except (BadParameter, BadCursor):
        page = keyset_page(qs, fields=fields, cursor=None, size=size)
        page.cursor_refused = True
        return page
