"""The app factory every department's service is built with.

At start a service migrates its database, connects to NATS in the background, ensures its own
stream, and runs its outbox relay and its consumers; ``/readyz`` turns green once the database
answers and the stream is there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from sqlalchemy import MetaData, text
from sqlmodel import Session

from huiwu import migrations
from huiwu.assertions import Verifier
from huiwu.bus import Bus
from huiwu.db import POOL_CONNECTIONS, SessionFactory, create_db_engine, session_factory, unit_of_work
from huiwu.group_commit import GroupCommit
from huiwu.inbox import Consumer, Subscription
from huiwu.outbox import Relay
from huiwu.settings import Settings
from huiwu.web import install_platform_basics, operation_id

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    metadata: MetaData
    migrations: Path
    routers: Sequence[APIRouter]
    subscriptions: Sequence[Subscription] = field(default_factory=tuple)
    # Background loops of the service (e.g. delivering notices), started with it, given its runtime.
    workers: Sequence[Callable[[Runtime], Coroutine[Any, Any, None]]] = field(default_factory=tuple)


class Runtime:
    """The live parts of one service process, kept on ``app.state.runtime``."""

    def __init__(self, definition: ServiceDefinition, settings: Settings) -> None:
        self.definition = definition
        self.settings = settings
        self.engine = create_db_engine(settings.database_url(definition.name))
        self.bus = Bus(settings.nats_servers, client_name=f"huiwu-{definition.name}")
        self.relay = Relay(
            session_factory(self.engine),
            self.bus,
            retention=timedelta(days=settings.outbox_retention_days),
        )
        self.make_session: SessionFactory = session_factory(self.engine, self.relay.wake)
        # Requests wait for a database turn on the event loop (see _request_turn): SQLite has one
        # writer; PostgreSQL serves as many requests at once as the pool has connections.
        sqlite = self.engine.dialect.name == "sqlite"
        writer = asyncio.Lock() if sqlite else None
        self.request_turn: asyncio.Lock | asyncio.Semaphore = writer or asyncio.Semaphore(POOL_CONNECTIONS)
        self.group_commit = GroupCommit(self.make_session, writer, inline=sqlite)
        self.stream_ready = False
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, *, relay: bool = True, consumers: bool = True, workers: bool = True) -> None:
        await asyncio.to_thread(
            migrations.upgrade,
            self.engine,
            self.definition.name,
            self.definition.migrations,
            self.definition.metadata,
        )
        self.bus.start()
        self._spawn(self._prepare_stream(), "stream")
        if relay:
            self.start_relay()
        if consumers:
            for subscription in self.definition.subscriptions:
                consumer = Consumer(subscription, self.make_session, self.bus)
                self._spawn(consumer.run(), f"consumer-{subscription.durable}")
        if workers:
            for number, worker in enumerate(self.definition.workers):
                self._spawn(worker(self), f"worker-{number}")

    def start_relay(self) -> None:
        self._spawn(self._relay_when_stream_ready(), "relay")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT_S)
            for task in stuck:
                log.warning("task %s did not stop within %ss", task.get_name(), STOP_TIMEOUT_S)
        self._tasks.clear()
        await self.group_commit.stop()
        await self.bus.close()
        self.engine.dispose()

    async def readiness(self) -> dict[str, bool]:
        return {
            "database": await asyncio.to_thread(self._database_answers),
            "nats": self.bus.connected and self.stream_ready,
        }

    def _database_answers(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            log.warning("database check failed", exc_info=True)
            return False

    async def _prepare_stream(self) -> None:
        await self.bus.wait_connected()
        while True:
            try:
                await self.bus.ensure_stream(self.definition.name, replicas=self.settings.stream_replicas)
                self.stream_ready = True
                return
            except Exception as error:
                log.warning("could not ensure stream: %s", error)
                await asyncio.sleep(1)

    async def _relay_when_stream_ready(self) -> None:
        while not self.stream_ready:
            await asyncio.sleep(0.05)
        await self.relay.run()

    def _spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(coroutine, name=name))


def create_service_app(
    definition: ServiceDefinition,
    settings: Settings | None = None,
    *,
    relay: bool = True,
    consumers: bool = True,
    workers: bool = True,
) -> FastAPI:
    verifier = Verifier()  # its key comes with the settings, read at start

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(definition, settings or Settings())
        app.state.runtime = runtime
        if runtime.settings.assertion_key is None:
            log.warning("HUIWU_ASSERTION_KEY is not set: every API request will be refused")
        verifier.use_key(runtime.settings.assertion_key)
        await runtime.start(relay=relay, consumers=consumers, workers=workers)
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=f"Huiwu {definition.title}",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )

    async def readiness() -> dict[str, bool]:
        runtime: Runtime = app.state.runtime
        return await runtime.readiness()

    install_platform_basics(app, definition.name, readiness, verifier)
    for router in definition.routers:
        app.include_router(router)
    return app


async def _request_turn(request: Request) -> AsyncIterator[None]:
    """Requests queue for the database here, on the event loop: for SQLite's single writer, and
    for PostgreSQL's pooled connections. Waiting in a worker thread instead (the writer lock, the
    pool) let 40 waiting requests take every thread while those holding the writer or a connection
    needed a thread to commit: a deadlock at 64 concurrent scanners on SQLite, and at 120 meetings
    created at once on PostgreSQL."""
    turn: asyncio.Lock | asyncio.Semaphore = request.app.state.runtime.request_turn
    async with turn:
        yield


def _request_session(
    request: Request, _turn: Annotated[None, Depends(_request_turn, scope="function")]
) -> Iterator[Session]:
    runtime: Runtime = request.app.state.runtime
    with unit_of_work(runtime.make_session) as session:
        yield session


async def _group_commit(request: Request) -> GroupCommit:
    """Async on purpose: a plain def would cost every door scan a hop to a worker thread."""
    runtime: Runtime = request.app.state.runtime
    return runtime.group_commit


# For small writes that come in rushes (door scans): they share transactions (group_commit.py).
GroupCommitDep = Annotated[GroupCommit, Depends(_group_commit)]

# scope="function": commit right after the handler returns, before the response is sent, so a
# failed commit is an error response and never a 201 for something that was not stored.
SessionDep = Annotated[Session, Depends(_request_session, scope="function")]
