"""Messages for bad input, in Japanese and English at once (API answers and import reports)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation


def both(message, **params) -> dict[str, str]:
    """A lazy message (with %-params) rendered in both languages."""
    out = {}
    for language in ("ja", "en"):
        with translation.override(language):
            text = str(message)
            out[language] = text % params if params else text
    return out


def error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in ValidationError(errors).messages] for field, errors in error.error_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def call_bilingual(service: Callable, **kwargs):
    """Run a service; if it refuses, return its messages in both languages.

    Services write their messages in the active language. A refused call changed nothing (it
    ran in its own transaction or savepoint), so it is asked again in English only to word the
    refusal; the answer is (result, None) or (None, {field: [{"ja": …, "en": …}]})."""
    try:
        with translation.override("ja"), transaction.atomic():
            return service(**kwargs), None
    except ValidationError as error_ja:
        ja = error_dict(error_ja)
    try:
        with translation.override("en"), transaction.atomic():
            result = service(**kwargs)
    except ValidationError as error_en:
        en = error_dict(error_en)
    else:  # the state changed between the two calls (another request): take the success
        return result, None
    merged = {}
    for field, messages in ja.items():
        english = en.get(field, messages)
        merged[field] = [
            {"ja": message, "en": english[i] if i < len(english) else message}
            for i, message in enumerate(messages)
        ]
    return None, merged
