"""Every answer echoes the request's id (``X-Correlation-ID``, and ``X-Request-ID``), whoever gave
it: a service, the gateway, an error nobody expected; and the log lines of the request carry it,
in the gateway and in the service it reached."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from huiwu.logs import JsonFormatter
from huiwu.runner import GATEWAY, Platform
from huiwu.web import install_platform_basics
from tests.test_gateway_tokens import holding
from tests.test_slice_end_to_end import create_meeting


class Lines(logging.Handler):
    """Log lines as the services write them (formatted while the request runs)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter("test"))
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler, root = Lines(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)  # the request lines too
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_an_unexpected_error_is_answered_and_logged_with_the_request_id(lines: Lines) -> None:
    app = FastAPI()

    async def ready() -> dict[str, bool]:
        return {}

    install_platform_basics(app, "test", ready)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    request_id = str(uuid.uuid4())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        failed = await client.get("/boom", headers={"X-Request-ID": request_id})

    assert failed.status_code == 500 and failed.headers["content-type"] == "application/problem+json"
    assert failed.headers["x-correlation-id"] == failed.headers["x-request-id"] == request_id
    assert failed.json()["correlation_id"] == request_id
    logged = [(line["message"], line["correlation_id"]) for line in lines.lines]
    assert ("unhandled error", request_id) in logged
    assert ("GET /boom 500", request_id) in logged


def logged_with(path: Path, request_id: str) -> list[dict[str, object]]:
    """The log lines of a platform process carrying ``request_id``, once they are written."""
    deadline = time.monotonic() + 10
    found: list[dict[str, object]] = []
    while not found and time.monotonic() < deadline:
        found = [json.loads(line) for line in path.read_text().splitlines()
                 if request_id in line and line.startswith("{")]  # fmt: skip
        time.sleep(0.05)
    return found


def test_every_answer_through_the_gateway_echoes_the_request_id(
    platform: Platform, gateway: httpx.Client
) -> None:
    meeting = f"/api/v1/meetings/{create_meeting(gateway)}"
    with holding(platform, "hw_not-a-token") as stranger:
        calls: dict[str, Callable[[], httpx.Response]] = {
            "proxied": lambda: gateway.get(meeting),
            "the service's 404": lambda: gateway.get(f"{meeting}/attendees/{uuid.uuid4()}"),
            "the service's 422": lambda: gateway.patch(meeting, json={"name": ""}),
            "the gateway's 404": lambda: gateway.get("/api/v1/nowhere"),
            "the gateway's 401": lambda: stranger.get(meeting),
            "the gateway's own": lambda: gateway.get("/api/v1/audit"),
        }
        ids = {name: str(uuid.uuid4()) for name in calls}
        answers = {}
        for name, call in calls.items():
            gateway.headers["X-Request-ID"] = stranger.headers["X-Request-ID"] = ids[name]
            answers[name] = call()
        del gateway.headers["X-Request-ID"]

    echoed = {name: (answer.headers["x-correlation-id"], answer.headers["x-request-id"])
              for name, answer in answers.items()}  # fmt: skip
    assert echoed == {name: (ids[name], ids[name]) for name in calls}
    assert [answers[name].status_code for name in calls] == [200, 404, 422, 404, 401, 200]
    for name in ("the service's 404", "the service's 422", "the gateway's 401"):
        assert answers[name].json()["correlation_id"] == ids[name]
    proxied = ids["proxied"]
    assert {line["correlation_id"] for line in logged_with(platform.log_path(GATEWAY), proxied)} == {proxied}
    assert {line["service"] for line in logged_with(platform.log_path("registration"), proxied)} == {
        "registration"
    }
