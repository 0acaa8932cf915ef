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

from huiwu.assertions import ASSERTION_HEADER, sign
from huiwu.auth import ADMIN, Clearance, Principal
from huiwu.runner import GATEWAY, Platform, free_port
from huiwu.service import Runtime, ServiceDefinition, create_service_app
from huiwu.settings import SERVICES, Settings
from huiwu.testing.databases import POSTGRES_URL_VARIABLE, Databases, postgres_admin_url
from huiwu.testing.nats import NatsServer

# In-process services check assertions signed with this key, made anew for each test run.
TEST_ASSERTION_KEY = secrets.token_urlsafe(32)
# Who a test is unless it says otherwise: what the bootstrap token is, through the gateway.
TEST_ADMIN = Principal("会务组测试", frozenset({ADMIN}), Clearance.top_secret, token_id="test")
_A_DAY_S = 24 * 3600  # long enough for any test; module-level header dicts stay valid


def assertion_headers(principal: Principal = TEST_ADMIN) -> dict[str, str]:
    """The header the gateway would add for ``principal``, for calling a service directly:
    ``await running.http.get(url, headers=assertion_headers(Principal("机要员", ...)))``."""
    return {ASSERTION_HEADER: sign(principal, TEST_ASSERTION_KEY, ttl_s=_A_DAY_S)}


def service_client(app: FastAPI, principal: Principal = TEST_ADMIN) -> httpx.AsyncClient:
    """A client of an in-process app whose requests carry ``principal``'s assertion."""
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(
        transport=transport, base_url="http://service", headers=assertion_headers(principal)
    )


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
    return Settings.model_validate(
        {"data_dir": data_dir, "nats_url": nats_server.url, "assertion_key": TEST_ASSERTION_KEY, **urls}
    )


class RunningService:
    """A service app running in-process, with an HTTP client bound to it that calls as
    ``TEST_ADMIN`` (admin, top secret); ``as_principal`` gives a client calling as someone else."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app = app
        self.http = client
        self._others: list[httpx.AsyncClient] = []

    def as_principal(self, principal: Principal) -> httpx.AsyncClient:
        """A client calling as ``principal``; closed with the service."""
        client = service_client(self.app, principal)
        self._others.append(client)
        return client

    async def close_clients(self) -> None:
        for client in [self.http, *self._others]:
            await client.aclose()

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
    stack: list[tuple[Any, RunningService]] = []

    async def start(definition: ServiceDefinition, **flags: bool) -> RunningService:
        app = create_service_app(definition, settings, **flags)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        running = RunningService(app, service_client(app))
        stack.append((lifespan, running))
        await eventually(lambda: running.runtime.stream_ready, what=f"{definition.name} stream")
        return running

    yield start
    for lifespan, running in reversed(stack):
        await running.close_clients()
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
    env = {f"HUIWU_{name.upper()}_DATABASE_URL": databases.url(name) for name in (*SERVICES, GATEWAY)}
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
