"""pytest fixtures; enable with ``pytest_plugins = ["huiwu.testing.fixtures"]``."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from huiwu.runner import Platform, free_port
from huiwu.service import Runtime, ServiceDefinition, create_service_app
from huiwu.settings import SERVICES, Settings
from huiwu.testing.databases import POSTGRES_URL_VARIABLE, Databases, postgres_admin_url
from huiwu.testing.nats import NatsServer


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Runs a test on SQLite, and again on PostgreSQL when HUIWU_TEST_POSTGRES_URL is set."""
    if request.param == "postgres" and postgres_admin_url() is None:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    return str(request.param)


@pytest.fixture
def databases(backend: str, tmp_path: Path) -> Iterator[Databases]:
    created = Databases(backend, tmp_path)
    yield created
    created.drop_all()


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats")
    server.start()
    yield server
    server.stop()


def service_settings(nats_server: NatsServer, databases: Databases, data_dir: Path) -> Settings:
    urls = {f"{name}_database_url": databases.url(name) for name in SERVICES}
    return Settings.model_validate({"data_dir": data_dir, "nats_url": nats_server.url, **urls})


class RunningService:
    """A service app running in-process, with an HTTP client bound to it."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app = app
        self.http = client

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime


StartService = Callable[..., Awaitable[RunningService]]


@pytest.fixture
async def start_service(
    nats_server: NatsServer, databases: Databases, tmp_path: Path
) -> AsyncIterator[StartService]:
    """``await start_service(definition, relay=True, consumers=True)``; stopped after the test."""
    settings = service_settings(nats_server, databases, tmp_path / "data")
    stack: list[tuple[Any, httpx.AsyncClient]] = []

    async def start(definition: ServiceDefinition, **flags: bool) -> RunningService:
        app = create_service_app(definition, settings, **flags)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")
        stack.append((lifespan, client))
        running = RunningService(app, client)
        await eventually(lambda: running.runtime.stream_ready, what=f"{definition.name} stream")
        return running

    yield start
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


async def eventually(
    condition: Callable[[], Any], *, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"
) -> Any:
    """Poll ``condition`` (sync or async) until it returns something truthy; fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: Any = None
    while loop.time() < deadline:
        last = condition()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout}s (last value: {last!r})")


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A whole platform (NATS, four services, gateway) as real processes, shared by the session."""
    if request.param == "postgres" and postgres_admin_url() is None:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    directory = tmp_path_factory.mktemp(f"platform-{request.param}")
    databases = Databases(str(request.param), directory)
    env = {f"HUIWU_{name.upper()}_DATABASE_URL": databases.url(name) for name in SERVICES}
    running = Platform(data_dir=directory, gateway_port=free_port(), token=secrets.token_urlsafe(16), env=env)
    try:
        running.start_nats()
        running.start_all()
        running.wait_ready()
        yield running
    finally:
        running.stop_all()
        databases.drop_all()


@pytest.fixture
def gateway(platform: Platform) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {platform.token}"}
    with httpx.Client(base_url=platform.url("gateway"), headers=headers, timeout=30) as client:
        yield client
