"""RFC 9457 problem details for every error, and the domain errors services raise.

Validation problems list each offending field with the rule it broke, e.g.
``{"field": "ends_on", "in": "body", "rule": "not_before_starts_on", "message": "…"}``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from huiwu.context import current_correlation_id

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """A request the domain refuses. ``code`` is the stable, machine-readable reason."""

    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a rule only the domain can check (e.g. against stored
    state); reported like a validation error: ``errors: [{field, in, rule, message}]``."""

    status = 422
    code = "validation-error"
    title = "Request validation failed"

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message, errors=[{"field": field, "in": "body", "rule": rule, "message": message}])


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


def problem(
    status: int, code: str, title: str, detail: str, request: Request, **extensions: Any
) -> JSONResponse:
    # Extensions never override the RFC 9457 members (a domain error may carry e.g. "status").
    body = {
        **extensions,
        "type": f"urn:huiwu:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if correlation_id := current_correlation_id.get():
        body["correlation_id"] = correlation_id
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_errors(errors: Any) -> list[dict[str, Any]]:
    """Pydantic's errors as ``{field, in, rule, message}``; ``field`` is a dotted path."""
    result = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        place = location[0] if location and location[0] in ("body", "query", "path", "header") else None
        path = location[1:] if place else location
        rule = error.get("ctx", {}).get("rule") or error.get("type", "invalid")
        result.append(
            {
                "field": ".".join(path) or place or "",
                "in": place,
                "rule": rule,
                "message": error.get("msg", ""),
            }
        )
    return result


async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    """The 500 for an error nobody expected: logged with its traceback, answered without detail."""
    log.exception("unhandled error", exc_info=exc)
    return problem(
        500, "internal-error", "Internal server error",
        "The request failed; nothing was changed. Quote the correlation id when reporting it.",
        request,
    )  # fmt: skip


def install_problem_handlers(app: FastAPI) -> None:
    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = field_errors(exc.errors())
        fields = ", ".join(sorted({e["field"] for e in errors}))
        return problem(
            422, "validation-error", "Request validation failed",
            f"Invalid input: {fields}", request, errors=errors,
        )  # fmt: skip

    async def on_domain(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return problem(exc.status, exc.code, exc.title, exc.detail, request, **exc.extensions)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail), request)

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, unexpected)
