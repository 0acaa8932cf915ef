"""Renders the API reference (``docs/api.md``) from the OpenAPI documents of the apps.

    python -m huiwu.apidocs > docs/api.md

This module imports the apps only to read their OpenAPI; it is a documentation tool, not part
of any running service.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from fastapi import FastAPI

APPS = {
    "gateway": "gateway.main",
    "registration": "services.registration.main",
    "venue": "services.venue.main",
    "documents": "services.documents.main",
    "supervision": "services.supervision.main",
}

HEADER = """# API reference

Generated from the apps' OpenAPI documents by `python -m huiwu.apidocs`; a test keeps it current.
Everything is reached through the gateway at `/api/v1` with `Authorization: Bearer <token>`;
the gateway forwards each path to the service that owns it. Errors are RFC 9457
`application/problem+json`; validation errors list `errors: [{field, in, rule, message}]`.
Lists are cursor-paginated: `?limit=&cursor=` → `{items, next_cursor}`.
"""


def render() -> str:
    sections = [HEADER]
    for name, module in APPS.items():
        app = importlib.import_module(module).app
        assert isinstance(app, FastAPI)
        sections.append(_service_section(name, app.openapi()))
    return "\n".join(sections)


def _service_section(name: str, spec: dict[str, Any]) -> str:
    lines = [f"## {name}", "", "| method | path | operation id | summary |", "|---|---|---|---|"]
    for path, operations in sorted(spec.get("paths", {}).items()):
        for method, operation in operations.items():
            summary = operation.get("summary", "")
            lines.append(
                f"| {method.upper()} | `{path}` | `{operation.get('operationId', '')}` | {summary} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
