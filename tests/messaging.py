"""Helpers for tests that look at streams and databases directly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import SQLModel

from huiwu.testing.fixtures import RunningService
from huiwu.testing.nats import NatsServer, stream_message_count


async def stream_messages(nats_server: NatsServer, stream: str) -> int:
    return await stream_message_count(nats_server.url, stream)


def count_rows(service: RunningService, model: type[SQLModel], *conditions: Any) -> int:
    with service.runtime.make_session() as session:
        query = select(func.count()).select_from(model)
        for condition in conditions:
            query = query.where(condition)
        return int(session.scalar(query) or 0)
