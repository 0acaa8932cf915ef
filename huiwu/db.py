"""Database engines and the unit of work.

Services never commit. The boundary that owns the work (an HTTP request, an event handler,
the relay) opens a session, lets the service functions stage changes and outbox rows, and
commits once, so a state change and the event announcing it stand or fall together.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

WAKE_RELAY = "wake_relay"
OUTBOX_DIRTY = "outbox_dirty"
POOL_SIZE = 10  # PostgreSQL connections kept open per service process
POOL_CONNECTIONS = 30  # at most, at busy moments


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalize_url(url: str) -> str:
    """Let operators write plain ``postgresql://`` URLs; we always drive PostgreSQL with psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_db_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(
        url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_CONNECTIONS - POOL_SIZE
    )


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level, so that we issue BEGIN ourselves (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed transaction survives a power cut, not just a process crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        # Take the write lock up front: a deferred transaction that reads and then writes can
        # fail at once with SQLITE_BUSY under concurrency, which busy_timeout does not retry.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


SessionFactory = Callable[[], Session]


def session_factory(engine: Engine, wake_relay: Callable[[], None] | None = None) -> SessionFactory:
    def make() -> Session:
        session = Session(engine, expire_on_commit=False)
        if wake_relay is not None:
            session.info[WAKE_RELAY] = wake_relay
        return session

    return make


@event.listens_for(Session, "after_commit")
def _wake_relay_after_outbox_commit(session: Session) -> None:
    if session.info.pop(OUTBOX_DIRTY, False) and (wake := session.info.get(WAKE_RELAY)):
        wake()


@event.listens_for(Session, "after_rollback")
def _forget_outbox_after_rollback(session: Session) -> None:
    session.info.pop(OUTBOX_DIRTY, None)


_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


class WriterBusy(Exception):
    """SQLite's writer turn is held by another thread of this process (``unit_of_work(wait=False)``)."""


@contextmanager
def _writer_turn(session: Session, *, wait: bool) -> Iterator[None]:
    """SQLite has one writer at a time. Threads of this process queue on a lock instead of
    polling SQLite's busy handler, whose sleeps grow to 100 ms and made latency spike under
    load; other processes still wait through busy_timeout. PostgreSQL needs no turn."""
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        yield
        return
    turn = _SQLITE_WRITERS.setdefault(engine, threading.Lock())
    if not turn.acquire(blocking=wait):
        raise WriterBusy
    try:
        yield
    finally:
        turn.release()


@contextmanager
def unit_of_work(make_session: SessionFactory, *, wait: bool = True) -> Iterator[Session]:
    """One transaction: commit if the block returns, roll back if it raises. ``wait=False``: raise
    WriterBusy at once rather than wait for SQLite's writer turn."""
    with make_session() as session, _writer_turn(session, wait=wait):
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
