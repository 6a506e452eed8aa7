"""Every error of the API (/api/v1/), of every app, in one shape: RFC 9457 problem details.

    Content-Type: application/problem+json
    {"type": <absolute URL documenting the problem>, "title": ..., "status": 400,
     "detail": <in the request's language>,
     "errors": [{"field": "hours" | null, "code": "invalid", "message": {"ja": ..., "en": ...}}]}

`exception_handler` (REST_FRAMEWORK["EXCEPTION_HANDLER"]) is the only place that writes it. Views
and services just raise: Django's `ValidationError` (services, with lazy messages, so both
languages are rendered from the one refusal) or `PermissionDenied`, `Http404`, DRF's exceptions
(serializers, authentication, parsing, throttling), `BadParameter` (request values), `Problem`
(typed problems such as two-step sign-in), `Invalid` (from `validated`, serializer messages in
both languages). A refusal that means a conflict with the resource's state sets
`http_status = 409` on the exception (for example `collaboration.services.RoomError`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from ..errors import both_languages
from ..request_params import BadParameter

PROBLEM_JSON = "application/problem+json"
LANGUAGES = ("ja", "en")

TITLES = {
    400: _("The request has errors"),
    401: _("Not signed in"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    413: _("Request too large"),
    415: _("Unsupported media type"),
    429: _("Too many requests"),
    503: _("Not available just now"),
}
DETAILS = {
    400: _("The request has errors. Nothing was changed."),
    403: _("You cannot do this."),
    409: _("This cannot be done in the record's present state. Nothing was changed."),
}
NOT_FOUND = _("There is nothing at this address, or you cannot see it.")
THROTTLED = _("Too many requests. Please wait %(seconds)s seconds and try again.")
TOO_LARGE = _("The body of the request is too large. Nothing was changed.")


def problem_type(request, code: str) -> str:
    """The stable, absolute URI that documents a problem: the API document, at the code's anchor."""
    try:
        path = reverse("openapi")
    except NoReverseMatch:  # pragma: no cover - the API document is always routed
        path = "/api/v1/openapi.json"
    return request.build_absolute_uri(path) + f"#problem-{code.replace('_', '-')}"


def item(field, code, message) -> dict:
    """One entry of `errors`: `message` is a lazy string, a ValidationError or {ja, en} already."""
    if not (isinstance(message, dict) and set(message) == set(LANGUAGES)):
        message = both_languages(message)
    return {"field": field, "code": code or "invalid", "message": message}


def validation_items(error: DjangoValidationError) -> list[dict]:
    """Each message of a Django ValidationError, both languages, rendered from the lazy original
    (with its params) under each language."""
    if hasattr(error, "error_dict"):
        pairs = [(None if f in ("__all__", "non_field_errors") else f, e) for f, e in error.error_dict.items()]
    else:
        pairs = [(None, error.error_list)]
    out = []
    for field, errors in pairs:
        for single in errors:
            out.append(item(field, single.code, single))
    return out


def serializer_items(detail, field=None) -> list[dict]:
    """DRF's own error detail (already strings in the active language): nested fields are joined
    with dots. `validated` avoids this by validating once per language."""
    out = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else str(key)
            out += serializer_items(value, f"{field}.{name}" if field and name else (name or field))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                out += serializer_items(value, f"{field}.{index}" if field else str(index))
            else:
                out += serializer_items(value, field)
    else:
        text = str(detail)
        out.append(item(field, getattr(detail, "code", "invalid"), {"ja": text, "en": text}))
    return out


class Problem(exceptions.APIException):
    """A typed problem: its own code, title, message and explaining page."""

    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"
    title = _("Forbidden")
    message = _("You cannot do this.")
    explained_at = "peers:mfa_required"  # the page that explains (an absolute URL in the answer)
    field = None

    def __init__(self):
        super().__init__(detail=str(self.message), code=self.code)

    def body(self, request) -> dict:
        return {
            "type": request.build_absolute_uri(reverse(self.explained_at)),
            "title": str(self.title),
            "status": self.status_code,
            "detail": str(self.message),
            "errors": [item(self.field, self.code, self.message)],
        }


class Invalid(exceptions.APIException):
    """Bad input whose messages are already in both languages (see peers.api.base.validated)."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, errors: list[dict]):
        super().__init__(detail="invalid", code="invalid")
        self.errors = errors


def _api_exception_message(exc: exceptions.APIException, request):
    """DRF's exceptions carry a lazy default text; render it in each language when the detail is
    that default, otherwise keep the (already rendered) detail."""
    if isinstance(exc, exceptions.Throttled):
        seconds = int(exc.wait or 1) if exc.wait is not None else 1
        return {lang: _render(THROTTLED, lang) % {"seconds": seconds} for lang in LANGUAGES}
    if isinstance(exc, exceptions.NotFound):
        return both_languages(NOT_FOUND)
    default = type(exc).default_detail
    text = str(exc.detail)
    kwargs = {"method": request.method} if isinstance(exc, exceptions.MethodNotAllowed) else {}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        kwargs = {"media_type": request.content_type}
    if isinstance(exc, exceptions.NotAcceptable):
        return both_languages(default)
    rendered = {lang: _render(default, lang).format(**kwargs) if kwargs else _render(default, lang)
                for lang in LANGUAGES}
    if text in rendered.values() or not text:
        return rendered
    return {"ja": text, "en": text}


def _render(message, language: str) -> str:
    with translation.override(language):
        return str(message)


def _in_request_language(message: dict) -> str:
    language = translation.get_language() or "ja"
    return message["en"] if language.startswith("en") else message["ja"]


def problem_response(request, *, status_code: int, code: str, errors: list[dict], detail=None,
                     headers: dict | None = None) -> Response:
    if detail is not None:
        detail_text = str(detail)
    elif len(errors) == 1:
        detail_text = _in_request_language(errors[0]["message"])
    else:
        detail_text = str(DETAILS.get(status_code, DETAILS[400]))
    body = {
        "type": problem_type(request, code),
        "title": str(TITLES.get(status_code, TITLES[400])),
        "status": status_code,
        "detail": detail_text,
        "errors": errors,
    }
    return Response(body, status=status_code, content_type=PROBLEM_JSON, headers=headers)


def exception_handler(exc, context):
    """The one exception handler of the API: every error becomes problem details."""
    request = context["request"]
    if isinstance(exc, Problem):
        response = Response(exc.body(request), status=exc.status_code, content_type=PROBLEM_JSON)
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, BadParameter):
        return problem_response(request, status_code=400, code="invalid_parameter",
                                errors=[item(exc.name, _first_code(exc.error), exc.error)])
    if isinstance(exc, Invalid):
        return problem_response(request, status_code=400, code="invalid", errors=exc.errors)
    if hasattr(exc, "http_status") and hasattr(exc, "lazy_message"):
        return problem_response(request, status_code=exc.http_status, code=exc.code,
                                errors=[item(None, exc.code, exc.lazy_message)])
    if isinstance(exc, RequestDataTooBig):  # Django's limit on a body (DATA_UPLOAD_MAX_MEMORY_SIZE)
        return problem_response(request, status_code=413, code="too_large",
                                errors=[item(None, "too_large", TOO_LARGE)])
    if isinstance(exc, DjangoValidationError):
        status_code = getattr(exc, "http_status", 400)
        code = "conflict" if status_code == 409 else "invalid"
        return problem_response(request, status_code=status_code, code=code, errors=validation_items(exc),
                                detail=DETAILS[409] if status_code == 409 else None)
    if isinstance(exc, DjangoPermissionDenied):
        message = exc.args[0] if exc.args else DETAILS[403]
        return problem_response(request, status_code=403, code="forbidden",
                                errors=[item(None, "forbidden", message)])
    if isinstance(exc, Http404):
        # Only our own (lazy, translated) messages are shown; Django's say which model was looked up.
        message = exc.args[0] if exc.args and isinstance(exc.args[0], Promise) else NOT_FOUND
        return problem_response(request, status_code=404, code="not_found",
                                errors=[item(None, "not_found", message)])
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(request, status_code=400, code="invalid", errors=serializer_items(exc.detail))
    if isinstance(exc, exceptions.APIException):
        code = exc.default_code
        if isinstance(exc.detail, (list, dict)):
            errors = serializer_items(exc.detail)
        else:
            errors = [item(None, getattr(exc.detail, "code", code), _api_exception_message(exc, request))]
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))
        return problem_response(request, status_code=exc.status_code, code=code, errors=errors, headers=headers)
    return None  # anything else is a bug: a 500, logged


def _first_code(error: DjangoValidationError) -> str:
    errors = error.error_list if hasattr(error, "error_list") else [error]
    return errors[0].code or "invalid"

