"""OpenAPI: only our own API under /api/v1/ is documented (not Wagtail's internal admin API)."""


def only_public_api(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


# The answers every operation may give besides its own (their bodies are the error shape of
# peers.errors / the exception handler, described in the API description, not here).
_ERRORS = {
    "400": "The request has errors (a parameter, the body, or a cursor we did not give out); nothing was changed.",
    "401": "An API token that is unknown, malformed, expired or revoked.",
    "403": "Not signed in, two-step sign-in not passed, or not allowed.",
    "404": "No such record, or one you may not see.",
}
_ERROR_CONTENT = {media: {"schema": {"type": "object", "additionalProperties": {}}}
                  for media in ("application/problem+json", "application/json")}


def document_error_responses(result, generator, request, public):
    """Every operation documents the error statuses it can answer (404 where the path names a
    record), each as a JSON object, so that responses can be checked against the document."""
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in _ERRORS.items():
                if code == "404" and "{" not in path:
                    continue
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code[0] in "45" and "content" not in response:
                    response["content"] = _ERROR_CONTENT
    return result
