"""Keyset pagination: no COUNT of the whole table and no deep OFFSET, whatever the row count.

A page is `size` rows after the cursor (the ordering values of the last row seen), fetched with
one query of size + 1 rows so that we know whether another page follows.
"""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass

from django.db.models import Q, QuerySet

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None


def _encode(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime.date | datetime.datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, qs: QuerySet, fields: list[str]) -> list | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(raw, list) or len(raw) != len(fields):
            return None
        values = []
        for name, value in zip(fields, raw, strict=True):
            path = name.lstrip("-")
            if "__" in path:  # a related field: compared as given
                values.append(value)
            else:
                values.append(qs.model._meta.get_field(path).to_python(value))
        return values
    except (ValueError, TypeError, json.JSONDecodeError, Exception):  # noqa: BLE001 - any bad cursor is page one
        return None


def _value(obj, name: str):
    for part in name.lstrip("-").split("__"):
        obj = getattr(obj, part)
    return obj


def keyset_page(qs: QuerySet, *, fields: list[str], cursor: str | None, size: int = DEFAULT_PAGE_SIZE) -> KeysetPage:
    """Rows of `qs` ordered by `fields` (each ascending, or descending with "-"; the last must be
    unique, such as "id"), starting after `cursor`. A bad cursor gives the first page."""
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
