"""Long-running asyncio loops (relay, consumers) and how they stop."""

from __future__ import annotations

import asyncio


def honour_cancellation() -> None:
    """Raise if this task was asked to stop.

    On Python 3.11, ``asyncio.wait_for`` (used by nats-py's fetch and by the relay's wait) can
    swallow a cancellation that races with its result, and a ``while True`` loop then never
    stops. A cancel request leaves ``Task.cancelling()`` raised, so loops check it every turn.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
