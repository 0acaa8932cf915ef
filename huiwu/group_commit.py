"""Group commit: many small writes that arrive together share one transaction.

At the door of a large meeting hundreds of badge scans arrive per second, each a few rows. One
transaction each means one fsync each (``synchronous=FULL``) and, on SQLite, one writer turn
each with its thread hops. Here callers queue their work; one task takes everything queued so
far, runs it in one unit of work, and commits once. A piece that raises is rolled back alone and
its caller gets the exception; the others are committed. A piece may run more than once (see
``_apply``): it must only read and write through the session it is given. Nobody is answered
before the commit, so an answer always means stored.

On SQLite a batch runs on the event loop itself when the writer turn is free at once. Its
statements are local and take microseconds; in a worker thread the batch fought the loop for the
GIL and took three times its CPU time (41 ms for 12 scans, 14 ms of it CPU), and that wait, not
the work, set the door's pace. If another thread of the process holds the writer turn, or a piece
fails, the batch goes to a worker thread as before, so the loop never waits for someone else's
transaction. On PostgreSQL every statement is a round trip: batches always run in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from huiwu.db import SessionFactory, unit_of_work

T = TypeVar("T")
MAX_BATCH = 100  # a bound on how long the first caller of a batch waits behind the others


@dataclass
class _Job(Generic[T]):
    work: Callable[[Session], T]
    future: asyncio.Future[T]
    result: Any = None
    error: BaseException | None = field(default=None)


class GroupCommit:
    def __init__(
        self, make_session: SessionFactory, turn: asyncio.Lock | None = None, *, inline: bool = False
    ) -> None:
        self._make_session = make_session
        self._turn = turn  # SQLite's writer turn, taken on the event loop like a request's
        self._inline = inline  # try each batch on the event loop first (SQLite: see above)
        self._queue: asyncio.Queue[_Job[Any]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)`` in the next shared transaction; return its result once committed."""
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._commit_forever(), name="group-commit")
        job: _Job[T] = _Job(work, asyncio.get_running_loop().create_future())
        self._queue.put_nowait(job)
        return await job.future

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    async def _commit_forever(self) -> None:
        while True:
            jobs = [await self._queue.get()]
            while len(jobs) < MAX_BATCH and not self._queue.empty():
                jobs.append(self._queue.get_nowait())
            try:
                async with self._turn or contextlib.nullcontext():
                    if not (self._inline and self._all_at_once(_live(jobs), wait=False)):
                        await asyncio.to_thread(self._apply, jobs)
            except Exception as failure:  # the commit itself failed: nothing of the batch is stored
                for job in jobs:
                    job.error = failure
            for job in jobs:
                _settle(job)

    def _apply(self, jobs: list[_Job[Any]]) -> None:
        """The batch as plain statements first; if any piece fails, the whole batch is rolled back
        and done again with a savepoint per piece, so the others still commit. Failures are rare
        in a rush, and two statements saved per piece are a third of a door scan's."""
        live = _live(jobs)
        if self._all_at_once(live):
            return
        with unit_of_work(self._make_session) as session:
            for job in live:
                try:
                    with session.begin_nested():
                        job.result = job.work(session)
                except Exception as error:
                    job.error = error

    def _all_at_once(self, live: list[_Job[Any]], *, wait: bool = True) -> bool:
        """Every piece in one transaction, committed; False (nothing stored) if any piece failed
        or, with ``wait=False``, the SQLite writer turn was not free."""
        try:
            with unit_of_work(self._make_session, wait=wait) as session:
                for job in live:
                    job.result = job.work(session)
            return True
        except Exception:  # WriterBusy, or a piece failed: sorted out by _apply
            for job in live:
                job.result = None
            return False


def _live(jobs: list[_Job[Any]]) -> list[_Job[Any]]:
    return [job for job in jobs if not job.future.cancelled()]  # a caller that went away: skip


def _settle(job: _Job[Any]) -> None:
    if job.future.done():
        return
    if job.error is not None:
        job.future.set_exception(job.error)
    else:
        job.future.set_result(job.result)
