"""Reading the API's one error shape (RFC 9457 problem details, peers/api/problems.py) in tests."""

from __future__ import annotations

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def problem(response, status: int) -> dict:
    """The body of a problem answer, after checking its status, content type and shape."""
    assert response.status_code == status, (response.status_code, response.content[:400])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert set(body) == PROBLEM_KEYS, body
    assert body["status"] == status
    assert body["type"].startswith(("http://", "https://"))
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}, error
        assert isinstance(error["code"], str) and error["code"]
        assert set(error["message"]) == {"ja", "en"} and all(error["message"].values()), error
    return body


def problem_fields(response, status: int = 400) -> dict[str | None, list[dict[str, str]]]:
    """Each field's messages ({ja, en}) of a problem answer; None for the whole record."""
    out: dict[str | None, list[dict[str, str]]] = {}
    for error in problem(response, status)["errors"]:
        out.setdefault(error["field"], []).append(error["message"])
    return out
