"""Group commit (huiwu/group_commit.py): pieces that arrive together share one transaction, yet a
piece that fails leaves no trace and takes nothing else down; nobody is answered before commit."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from huiwu.db import create_db_engine, session_factory, unit_of_work
from huiwu.group_commit import GroupCommit
from huiwu.inbox import InboxEntry
from huiwu.tables import KernelTable


class Refused(Exception):
    pass


def entry(event_id: str) -> InboxEntry:
    return InboxEntry(consumer="test", event_id=event_id, event_type="t", stream_sequence=1,
                      applied_at=datetime.now(UTC))  # fmt: skip


def writes(event_id: str, fail: bool = False) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        session.add(entry(event_id))
        session.flush()  # the row is written before the piece fails: it must still vanish
        if fail:
            raise Refused(event_id)
        return event_id

    return work


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{tmp_path}/kernel.db")
    KernelTable.metadata.create_all(engine)
    return engine


# inline: batches run on the event loop when SQLite's writer turn is free (as services do on SQLite)
@pytest.fixture(params=[True, False], ids=["inline", "in-a-thread"])
def stored(engine: Engine, request: pytest.FixtureRequest) -> tuple[GroupCommit, Callable[[], set[str]]]:
    def rows() -> set[str]:
        with Session(engine) as session:
            return set(session.scalars(select(InboxEntry.event_id)))

    return GroupCommit(session_factory(engine), asyncio.Lock(), inline=request.param), rows


async def test_a_failing_piece_is_rolled_back_alone(
    stored: tuple[GroupCommit, Callable[[], set[str]]],
) -> None:
    commits, rows = stored

    answers = await asyncio.gather(
        commits.run(writes("a")), commits.run(writes("b", fail=True)), commits.run(writes("c")),
        return_exceptions=True,
    )  # fmt: skip

    assert answers[0] == "a" and answers[2] == "c"
    assert isinstance(answers[1], Refused)
    assert rows() == {"a", "c"}
    await commits.stop()


async def test_many_pieces_are_each_stored_once(stored: tuple[GroupCommit, Callable[[], set[str]]]) -> None:
    commits, rows = stored

    answers = await asyncio.gather(*(commits.run(writes(f"e{n}", fail=n % 10 == 0)) for n in range(200)),
                                   return_exceptions=True)  # fmt: skip

    assert sum(isinstance(answer, Refused) for answer in answers) == 20
    assert rows() == {f"e{n}" for n in range(200) if n % 10}
    await commits.stop()


async def test_inline_batches_run_on_the_event_loop_when_the_writer_turn_is_free(engine: Engine) -> None:
    commits = GroupCommit(session_factory(engine), asyncio.Lock(), inline=True)
    ran_on: list[int] = []

    def work(session: Session) -> str:
        ran_on.append(threading.get_ident())
        return writes("on-the-loop")(session)

    assert await commits.run(work) == "on-the-loop"
    assert ran_on == [threading.get_ident()]
    await commits.stop()


async def test_the_loop_never_waits_for_another_threads_transaction(engine: Engine) -> None:
    """A relay or consumer thread holding SQLite's writer turn: the batch waits in a worker thread,
    and the event loop goes on serving (here: ticking) until the turn is free."""
    commits = GroupCommit(session_factory(engine), asyncio.Lock(), inline=True)
    holding, release = threading.Event(), threading.Event()

    def hold_the_writer_turn() -> None:
        with unit_of_work(session_factory(engine)):
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold_the_writer_turn)
    holder.start()
    holding.wait(5)
    scan = asyncio.ensure_future(commits.run(writes("after-the-turn")))
    ticks = 0
    started = time.monotonic()
    while time.monotonic() - started < 0.5:
        await asyncio.sleep(0.01)
        ticks += 1
    assert not scan.done()  # still waiting for the turn: nothing answered before it is stored
    release.set()
    assert await scan == "after-the-turn"
    holder.join()
    assert ticks >= 10  # a blocked loop would not have ticked at all while the turn was held
    await commits.stop()
