"""``GET /api/v1/meetings/{id}/sync``: are the departments in sync on this meeting?

Each service reports what it knows; the gateway puts the answers side by side. A service that
cannot be reached is reported as such rather than failing the whole view: that is exactly when
an operator needs it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from gateway.proxy import call_service
from huiwu.errors import DomainError, NotFound
from huiwu.settings import SERVICES


async def meeting_sync(
    clients: dict[str, httpx.AsyncClient], meeting_id: str, headers: dict[str, str]
) -> dict[str, Any]:
    meeting = await call_service(
        clients["registration"], "registration", "GET", f"/api/v1/meetings/{meeting_id}", headers=headers
    )
    if meeting.status_code == 404:
        raise NotFound(f"meeting {meeting_id} does not exist", field="meeting_id")
    reports = await asyncio.gather(
        *(_service_status(clients[name], name, meeting_id, headers) for name in SERVICES)
    )
    services = dict(zip(SERVICES, reports, strict=True))
    expected = services["registration"].get("attendees")
    in_sync = all(
        "error" not in report
        and report["attendees"] == expected
        and report["outbox_pending"] == 0
        and report["parked_messages"] == 0
        for report in services.values()
    )
    return {"meeting_id": meeting_id, "in_sync": in_sync, "services": services}


async def _service_status(
    client: httpx.AsyncClient, name: str, meeting_id: str, headers: dict[str, str]
) -> dict[str, Any]:
    try:
        response = await call_service(
            client, name, "GET", f"/api/v1/meetings/{meeting_id}/sync", headers=headers
        )
    except DomainError as error:
        return {"error": error.code, "detail": error.detail}
    if response.status_code != 200:
        return {"error": "bad-status", "detail": f"{name} answered {response.status_code}"}
    report: dict[str, Any] = response.json()
    report.pop("service", None)
    return report
