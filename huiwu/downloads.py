"""Files the API hands out (spreadsheets, PDFs): their responses and their Chinese file names."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Response

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SVG = "image/svg+xml"


def download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={"Content-Disposition": attachment(filename)})


def attachment(filename: str) -> str:
    """RFC 6266/5987: a Chinese file name travels percent-encoded in filename*."""
    return f"attachment; filename=\"huiwu-export\"; filename*=UTF-8''{quote(filename)}"


def documented(media_type: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route answering with a file, for the OpenAPI document."""
    return {200: {"content": {media_type: {}}}}
