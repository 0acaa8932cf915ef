"""The gateway waits longer for a printout than for an answer: the badges of a large meeting take
seconds to lay out, and a 504 there would leave the desk with nothing to print. The service stands
in here as a slow HTTP server; the gateway is the real one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from gateway.main import app
from huiwu.runner import free_port
from huiwu.testing.fixtures import TEST_ASSERTION_KEY
from huiwu.testing.nats import NatsServer
from huiwu.testing.problems import assert_problem

TOKEN = "printout-test-admin-token"
LAYOUT_S = 1.0  # how long the stand-in takes for anything
PATH = "/api/v1/meetings/m-1/attendees"


@pytest.fixture
async def slow_registration() -> AsyncIterator[str]:
    async def slowly(request: web.Request) -> web.Response:
        await asyncio.sleep(LAYOUT_S)
        if request.path.endswith(".pdf"):
            return web.Response(body=b"%PDF-1.7 badges", content_type="application/pdf")
        return web.json_response({"items": [], "next_cursor": None})

    app = web.Application()
    app.router.add_get("/{tail:.*}", slowly)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
async def gateway(
    slow_registration: str, nats_server: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    for name, value in {
        "HUIWU_REGISTRATION_URL": slow_registration,
        "HUIWU_SERVICE_TIMEOUT_S": str(LAYOUT_S / 4),
        "HUIWU_PRINTOUT_TIMEOUT_S": str(LAYOUT_S * 5),
        "HUIWU_GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        "HUIWU_NATS_URL": nats_server.url,
        "HUIWU_BOOTSTRAP_TOKEN": TOKEN,
        "HUIWU_ASSERTION_KEY": TEST_ASSERTION_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway", headers=headers
        ) as client:
            yield client


async def test_a_printout_is_waited_for_where_an_answer_as_slow_times_out(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.get(PATH)
    printout = await gateway.get(f"{PATH}/badges.pdf")

    assert_problem(answer, 504, "service-timeout")
    assert printout.status_code == 200, printout.text
    assert printout.headers["content-type"] == "application/pdf"
    assert printout.content == b"%PDF-1.7 badges"
