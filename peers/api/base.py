"""What every API endpoint shares: the base view, bilingual validation and one page of a list."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ..errors import both_languages, field_errors
from ..pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, BadCursor, keyset_page
from ..request_params import BadParameter, bad_cursor_message, read_cursor, read_int


class BilingualError(Exception):
    def __init__(self, errors: dict):
        self.errors = errors


def _bad_request(errors: dict | None = None, detail=None) -> Response:
    return Response(
        {"detail": both_languages(detail or _("The request has errors. Nothing was changed.")),
         "errors": errors or {}},
        status=status.HTTP_400_BAD_REQUEST,
    )


def validated(serializer_class, data, **kwargs) -> dict:
    """Validate; on failure collect every message in Japanese and in English."""
    serializer = serializer_class(data=data, **kwargs)
    if serializer.is_valid():
        return serializer.validated_data
    rendered = {}
    for language in ("ja", "en"):
        with translation.override(language):
            again = serializer_class(data=data, **kwargs)
            again.is_valid()
            rendered[language] = again.errors
    errors: dict = {}
    for field, messages in rendered["en"].items():
        ja_messages = rendered["ja"].get(field, messages)
        if isinstance(messages, dict):  # nested: keep the English structure, flattened
            messages, ja_messages = [str(messages)], [str(ja_messages)]
        errors[field] = [
            {"ja": str(ja), "en": str(en)} for ja, en in zip(ja_messages, messages, strict=False)
        ]
    raise BilingualError(errors)


class KakehashiAPIView(GenericAPIView):
    """Turns our services' errors into the bilingual 400 and a 403 with both languages."""

    def handle_exception(self, exc):
        if isinstance(exc, BilingualError):
            return _bad_request(exc.errors)
        if isinstance(exc, DjangoValidationError):
            errors = field_errors(exc)
            general = errors.pop(None, None)
            if general:
                errors["non_field_errors"] = general
            return _bad_request(errors)
        if isinstance(exc, DjangoPermissionDenied):
            message = exc.args[0] if exc.args else _("You cannot do this.")
            return Response({"detail": both_languages(message)}, status=status.HTTP_403_FORBIDDEN)
        return super().handle_exception(exc)

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


def page_schema(serializer):
    """The OpenAPI schema of one page of a list: `results` and the `next` page's address."""
    return inline_serializer(
        name=f"{serializer.__name__}Page",
        fields={"results": serializer(many=True), "next": serializers.URLField(allow_null=True)},
    )


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
