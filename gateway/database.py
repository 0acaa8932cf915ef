"""The gateway's own database: its tokens and its audit. Nothing of the departments lives here."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import registry
from sqlmodel import Session, SQLModel

from huiwu import migrations
from huiwu.db import create_db_engine, session_factory, unit_of_work

T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"


class Table(SQLModel, registry=registry()):
    """Base of the gateway's tables (its own registry: no service shares this schema)."""


class Store:
    """The database, used from worker threads: the event loop stays free for proxying."""

    def __init__(self, url: str) -> None:
        self.engine = create_db_engine(url)
        self._make_session = session_factory(self.engine)

    def migrate(self) -> None:
        migrations.upgrade(self.engine, "gateway", MIGRATIONS, Table.metadata)

    async def run(self, work: Callable[[Session], T]) -> T:
        """``work`` in one transaction, committed before this returns."""
        return await asyncio.to_thread(self._run, work)

    def _run(self, work: Callable[[Session], T]) -> T:
        with unit_of_work(self._make_session) as session:
            return work(session)

    def close(self) -> None:
        self.engine.dispose()
