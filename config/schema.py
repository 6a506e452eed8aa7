"""OpenAPI: only our own API under /api/v1/ is documented (not Wagtail's internal admin API)."""


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


def problem_responses(result, generator, request, public):
    """Every operation may answer an error: `4XX` application/problem+json, one shared schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {
        "description": "Problem details (RFC 9457)",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method in ("get", "put", "patch", "post", "delete", "head", "options") and isinstance(operation, dict):
                operation.setdefault("responses", {}).setdefault("4XX", problem)
    return result
