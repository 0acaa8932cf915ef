"""Registration, venue and documents in-process on one real nats-server: what the documents tests
stand on. Callers carry the clearance the gateway would vouch for in its signed assertion."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import httpx
from fpdf import FPDF
from pypdf import PdfReader

from huiwu.auth import ADMIN, Clearance, Principal
from huiwu.testing.fixtures import RunningService, StartService, assertion_headers, eventually
from services.documents.main import definition as documents_service
from tests.venue_desk import Desk, start_desk


def cleared(level: str, who: str = "机要员张三") -> dict[str, str]:
    """The assertion the gateway adds for a caller with this clearance."""
    return assertion_headers(Principal(who, frozenset({ADMIN}), Clearance[level]))


TOP = cleared("top_secret")


def small_pdf(pages: int = 2, text: str = "Report") -> bytes:
    pdf = FPDF()
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(text=f"{text} page {number}")
    return bytes(pdf.output())


@dataclass
class Office:
    """The desk (registration and venue) plus the confidential-documents room."""

    desk: Desk
    documents: RunningService

    @property
    def http(self) -> httpx.AsyncClient:
        return self.documents.http

    async def meeting_with(self, people: list[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, str]]:
        meeting_id = await self.desk.meeting()
        ids = {name: await self.desk.person(meeting_id, name, **fields) for name, fields in people}
        await self.desk.people_known(meeting_id, len(ids))

        async def known() -> bool:
            report = (await self.http.get(f"/api/v1/meetings/{meeting_id}/sync")).json()
            return bool(report.get("attendees") == len(ids))

        await eventually(known, what="documents knows the roster")
        return meeting_id, ids

    async def document(self, meeting_id: str, **fields: Any) -> httpx.Response:
        body = {
            "title": "省纪委工作报告",
            "category": "report",
            "print_run": 10,
            "registered_by": "机要员张三",
            **fields,
        }
        return await self.http.post(f"/api/v1/meetings/{meeting_id}/documents", json=body, headers=TOP)

    async def approved(self, meeting_id: str, **fields: Any) -> dict[str, Any]:
        created = await self.document(meeting_id, **fields)
        assert created.status_code == 201, created.text
        url = f"/api/v1/meetings/{meeting_id}/documents/{created.json()['id']}"
        uploaded = await self.http.put(
            f"{url}/file", params={"by": "机要员张三"}, content=small_pdf(),
            headers={**TOP, "content-type": "application/pdf"},
        )  # fmt: skip
        assert uploaded.status_code == 200, uploaded.text
        for action in ("submit", "approve"):
            reviewed = await self.http.post(
                f"{url}/review", json={"action": action, "by": "秘书长"}, headers=TOP
            )
            assert reviewed.status_code == 200, reviewed.text
        document: dict[str, Any] = reviewed.json()
        return document

    async def distribute(self, meeting_id: str, document_id: str, **audience: Any) -> httpx.Response:
        body = {"issued_by": "机要员张三", **audience}
        url = f"/api/v1/meetings/{meeting_id}/documents/{document_id}/distribute"
        return await self.http.post(url, json=body, headers=TOP)

    async def copies(self, meeting_id: str, document_id: str) -> dict[str, Any]:
        url = f"/api/v1/meetings/{meeting_id}/documents/{document_id}/copies"
        listed: dict[str, Any] = (await self.http.get(url, headers=TOP)).json()
        return listed


async def start_office(start_service: StartService) -> Office:
    desk = await start_desk(start_service)
    return Office(desk, await start_service(documents_service))


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
