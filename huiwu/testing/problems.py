"""Checking the platform's error answers in tests: RFC 9457 problem details, as every service and
the gateway send them (``huiwu.errors``)."""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "urn:huiwu:problem:"


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None, **members: Any
) -> dict[str, Any]:
    """The problem body, once the answer is ``status`` with problem+json, of type ``code`` (when
    given) and with each of ``members`` as given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith(PROBLEM_TYPE)
    if code is not None:
        assert body["type"] == f"{PROBLEM_TYPE}{code}"
    for name, value in members.items():
        assert body[name] == value, (name, body)
    return body


def refusal_reason(response: httpx.Response) -> str:
    """``ok`` for a 200, else the 403's reason (the problem type when it names none)."""
    if response.status_code == 200:
        return "ok"
    body = assert_problem(response, 403)
    return str(body.get("reason") or body["type"].removeprefix(PROBLEM_TYPE))
