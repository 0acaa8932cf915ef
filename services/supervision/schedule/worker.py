"""Supervision's scheduler: a loop that wakes every few seconds and runs each sweep on what the
database says is due. Deadlines live in the database, never in timers of a process, so a
deadline that passed while the service was down is acted on by the first pass after it starts.

A sweep (``(session, now) -> int``, how many things it acted on) runs in a transaction of its
own, which commits its changes with the events they announce (the outbox). On PostgreSQL each
sweep takes a transaction-scoped advisory lock first: while one replica runs it the others skip
it, and the next to run it sees what the first committed. On SQLite the transaction holds the
write lock from its first read (``BEGIN IMMEDIATE``), which serialises sweeps the same way.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from huiwu.db import SessionFactory, unit_of_work, utcnow
from huiwu.service import Runtime
from huiwu.tasks import honour_cancellation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str  # unique: it names the sweep's lock and its log lines
    run: Callable[[Session, datetime], int]


def scheduler(sweeps: Sequence[Sweep]) -> Callable[[Runtime], Coroutine[Any, Any, None]]:
    """The worker (``ServiceDefinition.workers``) running ``sweeps`` every pass, in order."""

    async def schedule_forever(runtime: Runtime) -> None:
        interval = runtime.settings.supervision_sweep_interval_s
        while True:
            honour_cancellation()
            acted = await asyncio.to_thread(run_due, runtime.make_session, sweeps)
            if acted == 0:  # a full batch may have left more: go again at once
                await asyncio.sleep(interval)

    return schedule_forever


def run_due(make_session: SessionFactory, sweeps: Sequence[Sweep], now: datetime | None = None) -> int:
    """One pass. A failing sweep is logged and retried next pass; the others still run."""
    now = now or utcnow()
    acted = 0
    for sweep in sweeps:
        try:
            done = run_sweep(make_session, sweep, now)
        except Exception:
            log.exception("sweep %s failed; the next pass retries it", sweep.name)
            continue
        if done:
            log.info("sweep %s acted on %d", sweep.name, done)
        acted += done
    return acted


def run_sweep(make_session: SessionFactory, sweep: Sweep, now: datetime) -> int:
    with unit_of_work(make_session) as session:
        if not _turn_to_run(session, sweep.name):
            return 0
        return sweep.run(session, now)


def _turn_to_run(session: Session, name: str) -> bool:
    """False while another replica runs this sweep (PostgreSQL; held until our commit)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"huiwu-sweep-{name}".encode())
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}))
