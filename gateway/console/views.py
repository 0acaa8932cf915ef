"""``/console``: the console's files, answered by the gateway itself (before the catch-all proxy).

No route needs a token: the page holds none until someone pastes one, and every call it makes to
``/api/v1`` carries it. The policy below keeps the page to its own files and the gateway's API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from huiwu.errors import NotFound

STATIC = (Path(__file__).parent / "static").resolve()
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # revalidated on each load, so a deployment shows at once
}
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}  # fmt: skip

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("")
async def console_root() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=308)


@router.get("/")
async def console_page() -> FileResponse:
    return _file("index.html")


@router.get("/{path:path}")
async def console_file(path: str) -> FileResponse:
    return _file(path)


def _file(path: str) -> FileResponse:
    found = (STATIC / path).resolve()
    if not found.is_relative_to(STATIC) or not found.is_file():  # no way out of static/
        raise NotFound(f"the console has no file {path}")
    return FileResponse(found, media_type=MEDIA_TYPES.get(found.suffix), headers=SECURITY_HEADERS)
