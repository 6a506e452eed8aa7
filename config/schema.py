"""OpenAPI: only our own API under /api/v1/ is documented (not Wagtail's internal admin API)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension


class WallClockTimeField(OpenApiSerializerFieldExtension):
    """Every time of day in the API (an entry's start time, quiet hours) is Japan wall-clock time
    without an offset ("09:30" or "09:30:00"). OpenAPI's `format: time` is RFC 3339's full-time,
    which requires an offset ("09:30:00Z"), so it would document answers the API never gives:
    a pattern instead. (Registered on import: the preprocessing hook below loads this module
    before any serializer is mapped.)"""

    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
                "example": "09:30", "description": "Japan time of day, without an offset (HH:MM or HH:MM:SS)."}


def only_public_api(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details: every error of the API has this shape.",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string", "format": "uri",
                 "description": "Absolute URI documenting the problem (this document, at #problem-<code>)."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "In the request's language."},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string", "nullable": True,
                              "description": "The field or parameter; null for the whole record."},
                    "code": {"type": "string"},
                    "message": {
                        "type": "object",
                        "required": ["ja", "en"],
                        "properties": {"ja": {"type": "string"}, "en": {"type": "string"}},
                    },
                },
            },
        },
    },
}


# The errors every operation may answer besides its own, each as problem details.
_ERRORS = {
    "400": "The request has errors (a parameter, the body, or a cursor we did not give out); nothing was changed.",
    "401": "An API token that is unknown, malformed, expired or revoked.",
    "403": "Not signed in, two-step sign-in not passed, or not allowed.",
    "404": "No such record, or one you may not see.",
}
_PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_responses(result, generator, request, public):
    """Every operation documents the error statuses it can answer (404 where the path names a
    record) and `4XX` for the rest, all as application/problem+json with one shared schema, so
    that responses can be checked against the document."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "put", "patch", "post", "delete", "head", "options") or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in _ERRORS.items():
                if code == "404" and "{" not in path:
                    continue
                responses.setdefault(code, {"description": description})
            responses.setdefault("4XX", {"description": "Problem details (RFC 9457)"})
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = _PROBLEM_CONTENT
    return result
