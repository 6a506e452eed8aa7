"""Messages about bad input in Japanese and English at once (imports and the API)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import translation


def both_languages(message, **params) -> dict[str, str]:
    """A lazy message (or a ValidationError) rendered in Japanese and in English; `params` fill
    its %(name)s placeholders after translation."""
    if params:
        message = ValidationError(message, params=params)
    out = {}
    for language in ("ja", "en"):
        with translation.override(language):
            if isinstance(message, ValidationError):
                out[language] = " ".join(message.messages)
            else:
                out[language] = str(message)
    return out


def field_errors(error: ValidationError) -> dict[str | None, list[dict[str, str]]]:
    """Each field's messages, both languages; None for errors about the whole record."""
    if hasattr(error, "error_dict"):
        items = error.error_dict.items()
    else:
        items = [(None, error.error_list)]
    result: dict[str | None, list[dict[str, str]]] = {}
    for field, errors in items:
        key = None if field == "__all__" else field
        for single in errors:
            result.setdefault(key, []).append(both_languages(single))
    return result
