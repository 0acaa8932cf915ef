"""Group commit (huiwu/group_commit.py): pieces that arrive together share one transaction, yet a
piece that fails leaves no trace and takes nothing else down; nobody is answered before commit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from huiwu.db import create_db_engine, session_factory
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
def stored(tmp_path: Path) -> tuple[GroupCommit, Callable[[], set[str]]]:
    engine = create_db_engine(f"sqlite:///{tmp_path}/kernel.db")
    KernelTable.metadata.create_all(engine)

    def rows() -> set[str]:
        with Session(engine) as session:
            return set(session.scalars(select(InboxEntry.event_id)))

    return GroupCommit(session_factory(engine), asyncio.Lock()), rows


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
