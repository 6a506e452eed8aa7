"""The one way to read ids, numbers, dates, choices, text and cursors from a request.

The pages' forms, the pages' filters and the API read their input through here, so bad input
means the same thing everywhere and never reaches the database (PostgreSQL refuses NUL in text;
`int()` refuses "²", which `str.isdigit()` accepts).

What counts as bad (decided once, here):

- Text: NUL, the other control characters (C0 except tab, newline and carriage return; DEL; C1)
  and lone surrogates are *refused*, not stripped. No person types them; changing input silently
  would hide a client's bug, and one rule is easier to trust than two. The API answers 400, a
  form shows the error on its field. Text is also bounded in length.
- Ids and whole numbers in parameters: ASCII digits only (with a leading "-" only where the
  range allows it), within a range: ids from 1 to 2**63 - 1 (BigAutoField). We generate these
  values, so a full-width, superscript or Arabic-Indic digit is a client's mistake, not a person
  typing. (Numbers that people type into forms go through Django's IntegerField, which reads
  full-width digits; that is kept.)
- Choices: one of the given values, else refused (an unknown filter value is not an empty list).
- Dates: read by peers.dates, the parser forms and imports use (YYYY-MM-DD, or 令和8年11月23日
  and the other forms people type), a real day inside its era.
- Cursors: URL-safe base64 in ASCII, bounded; what is inside is checked by peers.pagination.

The readers (`read_int`, `read_id`, …) take a QueryDict (or any mapping) and raise
`BadParameter`, which the API's exception handler (peers.api.problems) answers with a 400
problem: `errors: [{"field": "<parameter>", "code": …, "message": {"ja": …, "en": …}}]`.
The `parse_*` functions and `no_control_characters` raise Django's ValidationError, for forms
and serializers; `CodeRelatedField` is DRF's SlugRelatedField with the same check first.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException

from . import dates

MAX_ID = 2**63 - 1
MAX_TEXT_LENGTH = 200
MAX_CURSOR_LENGTH = 512
REQUIRED = object()

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_ASCII_INTEGER = re.compile(r"-?[0-9]+")
_CURSOR = re.compile(r"[A-Za-z0-9_-]+")


# --- Checks that raise Django's ValidationError (forms, serializers, the readers below) -----


@deconstructible
class NoControlCharacters:
    """A validator for forms and serializers: no NUL, control characters or lone surrogates."""

    message = _("This contains a control character (such as NUL), which is not allowed.")
    code = "control_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharacters)


no_control_characters = NoControlCharacters()


def parse_text(raw: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Text without control characters, whitespace at the ends removed, at most max_length."""
    no_control_characters(raw)
    text = raw.strip()
    if len(text) > max_length:
        raise ValidationError(_("This is too long (at most %(max)d characters)."), code="max_length",
                              params={"max": max_length})
    return text


def parse_int(raw: str, *, min_value: int | None = None, max_value: int | None = None) -> int:
    """A whole number written in ASCII digits, within [min_value, max_value]."""
    if not isinstance(raw, str) or not _ASCII_INTEGER.fullmatch(raw):
        raise ValidationError(_("Give a whole number in the digits 0-9."), code="invalid")
    # Forty digits is far beyond any range we use (and Python refuses int() of thousands).
    value = int(raw) if len(raw) <= 40 else None
    if value is None or (min_value is not None and value < min_value) or (
        max_value is not None and value > max_value
    ):
        if max_value is None:
            raise ValidationError(_("Give a whole number of at least %(min)d."), code="range",
                                  params={"min": min_value if min_value is not None else -MAX_ID})
        raise ValidationError(_("Give a whole number from %(min)d to %(max)d."), code="range",
                              params={"min": min_value if min_value is not None else -MAX_ID, "max": max_value})
    return value


def parse_id(raw: str) -> int:
    """A record's id: ASCII digits, 1 to 2**63 - 1."""
    try:
        return parse_int(raw, min_value=1, max_value=MAX_ID)
    except ValidationError:
        raise ValidationError(_("Give an id: a whole number from 1, in the digits 0-9."), code="invalid_id") from None


def parse_choice(raw: str, choices: Iterable) -> str:
    """One of `choices` (plain values, or (value, label) pairs such as a TextChoices' .choices)."""
    values = [c[0] if isinstance(c, tuple | list) else c for c in choices]
    no_control_characters(raw)
    if raw not in [str(v) for v in values]:
        raise ValidationError(_("Choose one of: %(choices)s."), code="invalid_choice",
                              params={"choices": ", ".join(str(v) for v in values)})
    return raw


def parse_date(raw: str) -> datetime.date:
    """A day, read by the one date parser (peers.dates): YYYY-MM-DD as the API documents it, or
    any form a person types into a page (2026/11/23, 令和8年11月23日, R8.11.23)."""
    return dates.parse_date(raw)


def parse_cursor(raw: str) -> str:
    """The outer shape of a paging cursor; peers.pagination checks what it holds."""
    if len(raw) > MAX_CURSOR_LENGTH or not _CURSOR.fullmatch(raw):
        raise ValidationError(bad_cursor_message(), code="invalid_cursor")
    return raw


def bad_cursor_message():
    return _("This paging cursor is not one we gave out. Start again from the first page.")


# --- Readers for request parameters (raise BadParameter: a 400 from the API) -----------------


class BadParameter(APIException):
    """A request parameter that cannot be read. The API's exception handler (peers.api.problems)
    answers it with a 400 problem; page views catch it (or use forms) and answer a page."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, name: str, error: ValidationError):
        self.name = name
        self.error = error
        super().__init__(detail=_("A parameter of the request is not valid."))


def _read(params: Mapping, name: str, default, parse, lenient: bool):
    raw = params.get(name)
    if raw is None or raw == "":
        if default is REQUIRED:
            raise BadParameter(name, ValidationError(_("This parameter is required."), code="required"))
        return default
    try:
        return parse(raw)
    except ValidationError as error:
        if lenient and default is not REQUIRED:
            return default
        raise BadParameter(name, error) from None


# `lenient=True` (for pages, where a link's parameter was mangled): a bad value gives the default
# instead of BadParameter. The API never uses it.


def read_text(params: Mapping, name: str, *, max_length: int = MAX_TEXT_LENGTH, default="", lenient=False):
    return _read(params, name, default, lambda raw: parse_text(raw, max_length=max_length), lenient)


def read_int(params: Mapping, name: str, *, min: int | None = None, max: int | None = None,  # noqa: A002
             default=None, lenient=False):
    return _read(params, name, default, lambda raw: parse_int(raw, min_value=min, max_value=max), lenient)


def read_id(params: Mapping, name: str, *, default=None, lenient=False):
    return _read(params, name, default, parse_id, lenient)


def read_choice(params: Mapping, name: str, choices: Iterable, *, default=None, lenient=False):
    choices = list(choices)
    return _read(params, name, default, lambda raw: parse_choice(raw, choices), lenient)


def read_date(params: Mapping, name: str, *, default=None, lenient=False):
    return _read(params, name, default, parse_date, lenient)


def read_cursor(params: Mapping, name: str = "cursor"):
    return _read(params, name, None, parse_cursor, False)


# --- Serializer fields ----------------------------------------------------------------------


class CodeRelatedField(serializers.SlugRelatedField):
    """SlugRelatedField that refuses control characters and lone surrogates before the lookup
    (PostgreSQL refuses NUL, and no database can store a lone surrogate)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                no_control_characters(data)
            except ValidationError as error:
                raise serializers.ValidationError(error.messages, code=error.code) from None
        return super().to_internal_value(data)
