"""Who is calling the gateway, and the audit of every request refused."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from gateway.audit import service as audit
from gateway.database import Store
from gateway.tokens.book import TokenBook, TokenRefused
from huiwu.auth import ADMIN, Principal, Refused, require
from huiwu.errors import DomainError, Forbidden, Unauthorized, problem


async def authenticated(request: Request) -> Principal:
    """Async on purpose: a plain def would cost every request a hop to a worker thread."""
    tokens: TokenBook = request.app.state.tokens
    principal = await tokens.authenticate(request.headers.get("Authorization"))
    request.state.principal = principal  # for the audit, should the request be refused
    return principal


Caller = Annotated[Principal, Depends(authenticated)]


def require_platform_admin(caller: Principal) -> None:
    """Tokens and the audit span every meeting: an admin token for one meeting may not."""
    require(caller, ADMIN)
    if caller.meeting_id is not None:
        raise Refused("tokens and the audit need an admin token for every meeting", "meeting")


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(store_of)]


async def audit_refusal(request: Request, status: int, reason: str, token: Principal | None = None) -> None:
    store: Store = request.app.state.store
    who = token or getattr(request.state, "principal", None)
    method, path = request.method, request.url.path
    await store.run(
        lambda session: audit.record(
            session=session, token=who, method=method, path=path, status=status, reason=reason
        )
    )


def refusal_reason(body: bytes, status: int) -> str:
    """Why a service refused (its problem's ``reason``, else its ``type``), for the audit."""
    try:
        refusal = json.loads(body)
        return str(refusal.get("reason") or refusal["type"].rpartition(":")[2])
    except (ValueError, KeyError, AttributeError, TypeError):
        return f"http-{status}"


def install_refusal_audit(app: FastAPI) -> None:
    """401 and 403 answered by the gateway are audited before they are sent."""

    async def on_refusal(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        token = exc.token if isinstance(exc, TokenRefused) else None
        await audit_refusal(request, exc.status, str(exc.extensions.get("reason", exc.code)), token)
        return problem(exc.status, exc.code, exc.title, exc.detail, request, **exc.extensions)

    app.add_exception_handler(Unauthorized, on_refusal)
    app.add_exception_handler(Forbidden, on_refusal)
