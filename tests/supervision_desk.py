"""Supervision in-process on one real nats-server (with registration when a test needs people on
the roster): what the supervision tests stand on. ``start_supervision`` starts it; the desk
registers tasks and moves them to any state the way the office would, through the API."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from huiwu.auth import Principal
from huiwu.testing.fixtures import RunningService, StartService, assertion_headers, eventually
from services.registration.main import definition as registration_service
from services.supervision.main import definition as supervision_service
from tests.test_registration_roster import new_meeting, register

OFFICER = "督查室李明"
# The caller as the gateway vouches for them in its signed assertion: the supervision office.
OFFICE = assertion_headers(Principal(OFFICER, frozenset({"supervision:*"})))
LEAD = "省纪委办公厅"
SUPPORTING = ["省纪委宣传部", "省纪委机关事务管理局"]

TASK: dict[str, Any] = {
    "content": "落实全会关于加强基层监督的部署，形成工作方案报常委会审议",
    "source": {"kind": "meeting_decision", "reference": "全会决议第3项"},
    "lead_department": LEAD,
    "supporting_departments": SUPPORTING,
    "responsible_person": "王芳",
    "report_frequency": "weekly",
}

EXTENSION: dict[str, Any] = {"department": LEAD, "reasons": "需征求各地意见", "progress": "已起草初稿"}
FEEDBACK: dict[str, Any] = {"department": LEAD, "report": "工作方案已经常委会审议通过并印发"}

# What the office sends with each action (the action is the path after /tasks/{id}/).
BODIES: dict[str, dict[str, Any] | None] = {
    "assign": {"note": "请按时限办理，每周报送进展"},
    "start": None,
    "extension": EXTENSION,
    "extension/approve": {"opinion": "同意延期"},
    "extension/deny": {"opinion": "时间紧迫，请按原时限办结"},
    "feedback": FEEDBACK,
    "return": {"opinion": "方案缺少时间表，退回重办"},
    "approve": {"opinion": "同意办结，报领导审阅"},
    "close": {"note": "领导无新批示，予以销号"},
    "reopen": {"instruction": "请进一步细化到各地市"},
}

# The office's usual way from 立项 to each state.
PATHS: dict[str, list[str]] = {
    "registered": [],
    "assigned": ["assign"],
    "in_progress": ["assign", "start"],
    "extension_pending": ["assign", "start", "extension"],
    "reported": ["assign", "start", "feedback"],
    "returned": ["assign", "start", "feedback", "return"],
    "approved": ["assign", "start", "feedback", "approve"],
    "closed": ["assign", "start", "feedback", "approve", "close"],
}


def days_ahead(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


@dataclass
class SupervisionDesk:
    supervision: RunningService
    registration: RunningService | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        return self.supervision.http

    @staticmethod
    def meeting() -> str:
        """A meeting id: supervision needs nothing more to register tasks."""
        return str(uuid.uuid4())

    @staticmethod
    def url(meeting_id: str, task_id: str | None = None) -> str:
        base = f"/api/v1/meetings/{meeting_id}/tasks"
        return f"{base}/{task_id}" if task_id else base

    async def register(self, meeting_id: str, **fields: Any) -> httpx.Response:
        body = {**TASK, "deadline": days_ahead(10), **fields}
        return await self.http.post(self.url(meeting_id), json=body, headers=OFFICE)

    async def task(self, meeting_id: str, **fields: Any) -> dict[str, Any]:
        response = await self.register(meeting_id, **fields)
        assert response.status_code == 201, response.text
        task: dict[str, Any] = response.json()
        return task

    async def act(
        self, meeting_id: str, task_id: str, action: str, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        """POST …/tasks/{id}/{action} with the office's usual body unless ``body`` is given."""
        sent = body if body is not None else BODIES[action]
        if action == "extension" and body is None:
            sent = {**EXTENSION, "new_deadline": days_ahead(30)}
        return await self.http.post(f"{self.url(meeting_id, task_id)}/{action}", json=sent, headers=OFFICE)

    async def move_to(self, meeting_id: str, task_id: str, state: str) -> dict[str, Any]:
        """Take the task from where it is to ``state`` along the office's usual way."""
        current = (await self.detail(meeting_id, task_id))["state"]
        done, path = PATHS[current], PATHS[state]
        assert path[: len(done)] == done, f"no usual way from {current} to {state}"
        task: dict[str, Any] = {}
        for action in path[len(done) :]:
            response = await self.act(meeting_id, task_id, action)
            assert response.status_code == 200, response.text
            task = response.json()
        return task or await self.detail(meeting_id, task_id)

    async def task_in(self, meeting_id: str, state: str, **fields: Any) -> dict[str, Any]:
        """A new task brought to ``state``."""
        task = await self.task(meeting_id, **fields)
        return await self.move_to(meeting_id, str(task["id"]), state)

    async def detail(self, meeting_id: str, task_id: str) -> dict[str, Any]:
        response = await self.http.get(self.url(meeting_id, task_id), headers=OFFICE)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def progress(
        self,
        meeting_id: str,
        task_id: str,
        department: str,
        text: str,
        files: Sequence[tuple[str, bytes, str]] = (),
    ) -> httpx.Response:
        """A multipart progress report; ``files`` as (name, bytes, media type)."""
        return await self.http.post(
            f"{self.url(meeting_id, task_id)}/progress",
            data={"department": department, "text": text},
            files=[("files", file) for file in files] or None,
            headers=OFFICE,
        )

    async def meeting_with(self, *names: str) -> tuple[str, dict[str, str]]:
        """A meeting with people on its roster, once supervision knows them."""
        assert self.registration is not None, "start_supervision(..., with_registration=True)"
        meeting_id = await new_meeting(self.registration)
        ids = {}
        for name in names:
            response = await register(self.registration, meeting_id, name)
            assert response.status_code == 201, response.text
            ids[name] = str(response.json()["id"])

        async def known() -> bool:
            report = (await self.http.get(f"/api/v1/meetings/{meeting_id}/sync")).json()
            return bool(report.get("attendees") == len(ids))

        await eventually(known, what=f"supervision knows {len(ids)} attendees")
        return meeting_id, ids


async def start_supervision(
    start_service: StartService, *, with_registration: bool = False
) -> SupervisionDesk:
    registration = await start_service(registration_service) if with_registration else None
    return SupervisionDesk(await start_service(supervision_service), registration)
