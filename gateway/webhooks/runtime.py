"""The webhook machinery of one gateway process: an intake per department stream and the worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from gateway.database import Store
from gateway.webhooks.intake import Intake
from gateway.webhooks.worker import DeliveryWorker
from huiwu.auth import DEPARTMENTS
from huiwu.bus import Bus
from huiwu.settings import Settings

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 5.0


class Webhooks:
    def __init__(self, store: Store, bus: Bus, settings: Settings) -> None:
        self.worker = DeliveryWorker(store, settings.webhook_retry_delays_s, settings.webhook_timeout_s)
        self.intakes = [Intake(department, store, bus, self.worker.wake) for department in DEPARTMENTS]
        self._worker_task: asyncio.Task[None] | None = None
        self._intake_tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._worker_task = _spawn(self.worker.run(), "webhook-worker")
        self._intake_tasks = [
            _spawn(intake.run(), f"webhook-intake-{intake.department}") for intake in self.intakes
        ]

    async def stop(self) -> None:
        """Posts in flight may finish (a receiver that got one is not sent it again by the next
        process); then everything is cancelled. What is unsettled is taken up after its lease."""
        self.worker.stop_claiming()
        tasks = [*self._intake_tasks, *([self._worker_task] if self._worker_task else [])]
        for task in self._intake_tasks:
            task.cancel()
        if tasks:
            _, stuck = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
            for task in stuck:
                task.cancel()
                log.warning("%s did not stop within %ss", task.get_name(), STOP_TIMEOUT_S)
            await asyncio.gather(*tasks, return_exceptions=True)


def _spawn(coroutine: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
    return asyncio.create_task(coroutine, name=name)
