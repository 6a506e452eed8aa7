"""What every API endpoint shares: the base view, bilingual validation and one page of a list."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from ..pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, BadCursor, keyset_page
from ..request_params import BadParameter, bad_cursor_message, read_cursor, read_int
from .problems import LANGUAGES, Invalid, serializer_items


def validated(serializer_class, data, **kwargs) -> dict:
    """Validate; on failure raise `Invalid` with every message in Japanese and in English.

    DRF renders a serializer's messages as strings in the active language, so a refused input is
    validated once more per language (nothing is saved by validating)."""
    serializer = serializer_class(data=data, **kwargs)
    if serializer.is_valid():
        return serializer.validated_data
    rendered = {}
    for language in LANGUAGES:
        with translation.override(language):
            again = serializer_class(data=data, **kwargs)
            again.is_valid()
            rendered[language] = serializer_items(again.errors)
    errors = []
    for index, english in enumerate(rendered["en"]):
        japanese = rendered["ja"][index] if index < len(rendered["ja"]) else english
        errors.append({**english, "message": {"ja": japanese["message"]["ja"], "en": english["message"]["en"]}})
    raise Invalid(errors)


class KakehashiAPIView(GenericAPIView):
    """The base of every endpoint. Errors are answered by the one exception handler
    (peers.api.problems); views just raise."""

    def page(self, qs, fields):
        """One page of `qs` after the `cursor` parameter; a bad cursor or page size is a 400."""
        params = self.request.query_params
        size = read_int(params, "page_size", min=1, max=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)
        try:
            page = keyset_page(qs, fields=fields, cursor=read_cursor(params, "cursor"), size=size)
        except BadCursor:
            raise BadParameter("cursor", ValidationError(bad_cursor_message(), code="invalid_cursor")) from None
        next_url = None
        if page.next_cursor:
            query = self.request.query_params.copy()
            query["cursor"] = page.next_cursor
            next_url = self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")
        return page.items, next_url


_PAGE_SCHEMAS: dict = {}


def page_schema(serializer):
    """The OpenAPI schema of one page of a list: `results` and the `next` page's address. One
    component per serializer, however many lists answer pages of it."""
    if serializer not in _PAGE_SCHEMAS:
        _PAGE_SCHEMAS[serializer] = inline_serializer(
            name=f"{serializer.__name__}Page",
            fields={"results": serializer(many=True), "next": serializers.URLField(allow_null=True)},
        )
    return _PAGE_SCHEMAS[serializer]


PAGE_PARAMETERS = [
    OpenApiParameter(
        "cursor", str, OpenApiParameter.QUERY, required=False,
        description="Where the page starts: the value in the `next` address of the page before. "
                    "Leave it out for the first page; a cursor we did not give out is a 400.",
    ),
    OpenApiParameter(
        "page_size", int, OpenApiParameter.QUERY, required=False,
        description=f"Rows on one page, 1 to {MAX_PAGE_SIZE} ({DEFAULT_PAGE_SIZE} when left out).",
    ),
]


def list_endpoint(serializer, *, parameters=(), **kwargs):
    """Declare a list's `get()` once: it answers one page of `serializer` rows,
    `{"results": [...], "next": url|null}` (from `KakehashiAPIView.page()`), and takes its own
    filter `parameters` besides `cursor` and `page_size`."""
    return extend_schema(parameters=[*parameters, *PAGE_PARAMETERS], responses=page_schema(serializer), **kwargs)
