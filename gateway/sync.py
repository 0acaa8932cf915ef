"""``GET /api/v1/meetings/{id}/sync``: are the departments in sync on this meeting?

Each service reports what it knows; the gateway puts the answers side by side. A service that
cannot be reached is reported as such rather than failing the whole view: that is exactly when
an operator needs it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from gateway.upstream import Service
from huiwu.errors import DomainError, NotFound
from huiwu.settings import SERVICES


async def meeting_sync(
    services: dict[str, Service], meeting_id: str, headers: dict[str, str]
) -> dict[str, Any]:
    meeting = await services["registration"].call("GET", f"/api/v1/meetings/{meeting_id}", headers=headers)
    if meeting.status_code == 404:
        raise NotFound(f"meeting {meeting_id} does not exist", field="meeting_id")
    reports = await asyncio.gather(
        *(_service_status(services[name], name, meeting_id, headers) for name in SERVICES)
    )
    by_service = dict(zip(SERVICES, reports, strict=True))
    expected = by_service["registration"].get("attendees")
    in_sync = all(
        "error" not in report
        and report["attendees"] == expected
        and report["outbox_pending"] == 0
        and report["parked_messages"] == 0
        for report in by_service.values()
    )
    return {"meeting_id": meeting_id, "in_sync": in_sync, "services": by_service}


async def _service_status(
    service: Service, name: str, meeting_id: str, headers: dict[str, str]
) -> dict[str, Any]:
    try:
        response = await service.call("GET", f"/api/v1/meetings/{meeting_id}/sync", headers=headers)
    except DomainError as error:
        return {"error": error.code, "detail": error.detail}
    if response.status_code != 200:
        return {"error": "bad-status", "detail": f"{name} answered {response.status_code}"}
    report: dict[str, Any] = response.json()
    report.pop("service", None)
    return report
