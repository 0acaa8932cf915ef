"""Many requests at once: more than the worker threads a service has (40) must not wedge it.

A request waiting for its turn to write must not hold a worker thread while it waits, or the
request that has the turn can never get the thread it needs to finish (seen at 64 scanners)."""

from __future__ import annotations

import asyncio

from huiwu.testing.fixtures import StartService
from services.registration.main import definition as registration
from tests.test_registration_roster import MEETING

CONCURRENT = 120  # three times anyio's default thread limit


async def test_a_rush_of_writes_beyond_the_thread_pool_completes(start_service: StartService) -> None:
    service = await start_service(registration)

    async def create() -> int:
        response = await service.http.post("/api/v1/meetings", json=MEETING)
        return response.status_code

    statuses = await asyncio.wait_for(asyncio.gather(*(create() for _ in range(CONCURRENT))), timeout=60)

    assert statuses == [201] * CONCURRENT
    listed = (await service.http.get("/api/v1/meetings", params={"limit": 500})).json()["items"]
    assert len(listed) == CONCURRENT
