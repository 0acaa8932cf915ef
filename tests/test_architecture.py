"""The layout is the architecture: departments meet only through events, the gateway only over
HTTP, and the kernel knows no department. Generated docs stay current."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from huiwu.apidocs import render as render_api
from huiwu.events.docs import render as render_events
from huiwu.settings import SERVICES

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(package: Path) -> set[tuple[Path, str]]:
    found = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add((source, node.module))
            elif isinstance(node, ast.Import):
                found.update((source, alias.name) for alias in node.names)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_never_imports_another_service_or_the_gateway(service: str) -> None:
    others = [f"services.{other}" for other in SERVICES if other != service] + ["gateway"]
    offending = [
        (str(source.relative_to(ROOT)), module)
        for source, module in imported_modules(ROOT / "services" / service)
        if any(module == other or module.startswith(f"{other}.") for other in others)
    ]
    assert offending == []


def test_the_gateway_reaches_services_over_http_only() -> None:
    offending = [module for _, module in imported_modules(ROOT / "gateway") if module.startswith("services")]
    assert offending == []


def test_the_kernel_knows_no_department() -> None:
    offending = [
        (str(source.relative_to(ROOT)), module)
        for source, module in imported_modules(ROOT / "huiwu")
        if module.startswith(("services", "gateway")) and "testing" not in source.parts
    ]
    assert offending == []


def test_the_event_catalogue_document_is_current() -> None:
    assert (ROOT / "docs" / "events.md").read_text() == render_events(), "run: make docs"


def test_the_api_reference_is_current() -> None:
    assert (ROOT / "docs" / "api.md").read_text() == render_api(), "run: make docs"
