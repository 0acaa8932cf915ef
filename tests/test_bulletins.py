"""Supervision's opinions, bulletins (会议简报) and situation reports (情况反映), issue 6: opinions
recorded with the speakers' names and posts, bulletins numbered 第1期, 第2期… per meeting when
issued and never changed after, printed as A4 with the red masthead, a classified one registered
by the documents room like any other classified document (once, however often it is announced),
reports sent to the leaders. Registration, supervision and documents run in-process on a real
nats-server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import ctypes
import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pypdfium2 as pdfium  # ships no type information
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import Session, col

from gateway.routes import resolve
from huiwu.auth import Clearance, Principal
from huiwu.chinese import local_date
from huiwu.db import utcnow
from huiwu.events.catalog import BulletinIssued
from huiwu.events.envelope import MSG_ID_HEADER, mint
from huiwu.inbox import InboxEntry
from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService, assertion_headers, eventually
from services.documents.bulletins.models import BulletinDocument
from services.documents.copies.models import Copy
from services.documents.documents.models import Document, DocumentFile
from services.documents.main import definition as documents_service
from services.registration.main import definition as registration_service
from services.supervision.bulletins import service as bulletins
from services.supervision.bulletins.models import Bulletin, IssuedFile
from services.supervision.main import definition as supervision_service
from services.supervision.opinions.models import Opinion
from services.supervision.situation_reports.models import SituationReport
from tests.messaging import count_rows
from tests.test_registration_roster import MEETING, new_meeting, register

NAME = f"{MEETING['name']}简报"
PROBLEM_JSON = "application/problem+json"
MM = 72 / 25.4  # points per millimetre
ISSUED = BulletinIssued.event_type()
REPORT_SENT = "huiwu.supervision.situation_report.sent.v1"
# Someone of the supervision office cleared for secret documents only.
SECRET_ONLY = assertion_headers(Principal("简报组赵敏", frozenset({"supervision:*"}), Clearance.secret))


@dataclass
class Newsroom:
    """Registration (the roster) and supervision (the office writing the bulletins)."""

    registration: RunningService
    supervision: RunningService

    @property
    def http(self) -> httpx.AsyncClient:
        return self.supervision.http

    async def meeting(self, **fields: Any) -> str:
        meeting_id = await new_meeting(self.registration, **fields)

        async def known() -> bool:
            return (await self.http.get(f"/api/v1/meetings/{meeting_id}/bulletins")).status_code == 200

        await eventually(known, what="supervision learns of the meeting")
        return meeting_id

    async def people(self, meeting_id: str, *people: tuple[str, str]) -> dict[str, str]:
        """Register (name, 职务) people; their ids once supervision knows them all."""
        ids = {}
        for name, title in people:
            response = await register(self.registration, meeting_id, name, title=title)
            assert response.status_code == 201, response.text
            ids[name] = str(response.json()["id"])

        async def known() -> bool:
            report = (await self.http.get(f"/api/v1/meetings/{meeting_id}/sync")).json()
            return bool(report.get("attendees") == len(ids))

        await eventually(known, what="supervision knows the roster")
        return ids

    async def opinion(self, meeting_id: str, **fields: Any) -> httpx.Response:
        body = {
            "group": {"id": "g-1", "name": "省直机关第一组"},
            "speaker": {"name": "周强", "post": "省审计厅副厅长"},
            "kind": "opinion",
            "text": "报告实事求是，重点突出，完全赞同。",
            "recorded_by": "简报组王强",
            **fields,
        }
        return await self.http.post(f"/api/v1/meetings/{meeting_id}/opinions", json=body)

    async def draft(self, meeting_id: str, **fields: Any) -> httpx.Response:
        body = {
            "headline": "各组认真讨论省纪委常委会工作报告",
            "sections": [{"items": [{"kind": "paragraph", "text": "1月12日下午，各组分别讨论了工作报告。"}]}],
            "print_count": 120,
            "drafted_by": "简报组王强",
            **fields,
        }
        return await self.http.post(f"/api/v1/meetings/{meeting_id}/bulletins", json=body)

    async def issue(self, meeting_id: str, bulletin_id: str) -> httpx.Response:
        url = f"/api/v1/meetings/{meeting_id}/bulletins/{bulletin_id}/issue"
        return await self.http.post(url, json={"issued_by": "秘书长陈刚"})

    async def issued(self, meeting_id: str, **fields: Any) -> dict[str, Any]:
        drafted = await self.draft(meeting_id, **fields)
        assert drafted.status_code == 201, drafted.text
        issued = await self.issue(meeting_id, drafted.json()["id"])
        assert issued.status_code == 200, issued.text
        bulletin: dict[str, Any] = issued.json()
        return bulletin

    async def pdf(self, meeting_id: str, bulletin_id: str) -> httpx.Response:
        return await self.http.get(f"/api/v1/meetings/{meeting_id}/bulletins/{bulletin_id}.pdf")


@pytest.fixture
async def newsroom(start_service: StartService) -> Newsroom:
    return Newsroom(await start_service(registration_service), await start_service(supervision_service))


def events(service: RunningService, event_type: str) -> list[dict[str, Any]]:
    with Session(service.runtime.engine) as session:
        rows = session.scalars(
            select(OutboxEvent)
            .where(col(OutboxEvent.event_type) == event_type)
            .order_by(col(OutboxEvent.position))
        )
        return [json.loads(row.payload) for row in rows]


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def where(data: bytes, text: str) -> tuple[tuple[float, float, float, float], tuple[int, int, int]]:
    """The box (left, bottom, right, top, in points) PDFium finds ``text`` in on page 1, from its
    first to its last character, and the colour its first character is filled with."""
    text_page = pdfium.PdfDocument(data)[0].get_textpage()
    found = text_page.search(text).get_next()
    assert found is not None, f"{text} is not on page 1"
    start, count = found
    left, bottom, _, top = text_page.get_charbox(start)
    right = text_page.get_charbox(start + count - 1)[2]
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    pdfium.raw.FPDFText_GetFillColor(text_page.raw, start, red, green, blue, alpha)
    return (left, bottom, right, top), (red.value, green.value, blue.value)


# --- opinions ------------------------------------------------------------------------------------


async def test_opinions_are_recorded_with_the_speakers_name_and_post_and_found_by_filters(
    newsroom: Newsroom,
) -> None:
    meeting_id = await newsroom.meeting()
    people = await newsroom.people(meeting_id, ("王芳", "省委组织部副部长"), ("李明", "省纪委常委"))

    from_roster = await newsroom.opinion(
        meeting_id, speaker={"attendee_id": people["王芳"]}, kind="suggestion", session_id="s-1",
        text="建议进一步加强基层监督力量配备。",
    )  # fmt: skip
    renamed_post = await newsroom.opinion(
        meeting_id, speaker={"attendee_id": people["李明"], "post": "省纪委常委、秘书长"},
        group={"id": "g-2", "name": "省直机关第二组"},
    )  # fmt: skip
    free = await newsroom.opinion(meeting_id)
    url = f"/api/v1/meetings/{meeting_id}/opinions"

    async def listed(**params: Any) -> list[str]:
        page = (await newsroom.http.get(url, params=params)).json()
        return [item["speaker"]["name"] for item in page["items"]]

    assert from_roster.status_code == 201, from_roster.text
    assert from_roster.headers["Location"] == f"{url}/{from_roster.json()['id']}"
    assert from_roster.json()["speaker"] == {
        "attendee_id": people["王芳"],
        "name": "王芳",
        "post": "省委组织部副部长",
    }
    assert renamed_post.json()["speaker"]["post"] == "省纪委常委、秘书长"
    assert free.json()["speaker"] == {"attendee_id": None, "name": "周强", "post": "省审计厅副厅长"}
    assert await listed() == ["王芳", "李明", "周强"]
    assert await listed(group_id="g-1") == ["王芳", "周强"]
    assert await listed(group_name="省直机关第二组") == ["李明"]
    assert await listed(kind="suggestion") == ["王芳"]
    assert await listed(session_id="s-1") == ["王芳"]
    assert await listed(speaker_id=people["李明"]) == ["李明"]
    first = (await newsroom.http.get(url, params={"limit": 2})).json()
    rest = (await newsroom.http.get(url, params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [item["speaker"]["name"] for item in first["items"] + rest["items"]] == ["王芳", "李明", "周强"]
    assert rest["next_cursor"] is None
    one = await newsroom.http.get(f"{url}/{free.json()['id']}")
    assert one.json()["text"] == "报告实事求是，重点突出，完全赞同。"


# --- numbering and the draft → issued lifecycle --------------------------------------------------


async def test_bulletins_are_numbered_per_meeting_when_issued(newsroom: Newsroom) -> None:
    plenary = await newsroom.meeting()
    other = await newsroom.meeting(name="江南省巡视工作会议")
    first_drafted = (await newsroom.draft(plenary, headline="全会开幕")).json()
    second_drafted = (await newsroom.draft(plenary, headline="分组讨论情况")).json()

    second = await newsroom.issue(plenary, second_drafted["id"])
    elsewhere = await newsroom.issued(other)
    first = await newsroom.issue(plenary, first_drafted["id"])
    third = await newsroom.issued(plenary, headline="全会闭幕")

    assert first_drafted["status"] == "draft" and first_drafted["issue_number"] is None
    assert first_drafted["name"] == NAME
    assert (second.json()["issue_number"], first.json()["issue_number"], third["issue_number"]) == (1, 2, 3)
    assert elsewhere["issue_number"] == 1 and elsewhere["name"] == "江南省巡视工作会议简报"
    assert first.json()["status"] == "issued" and first.json()["issued_by"] == "秘书长陈刚"
    assert first.json()["issued_on"] == local_date(utcnow()).isoformat()
    listed = (
        await newsroom.http.get(f"/api/v1/meetings/{plenary}/bulletins", params={"status": "issued"})
    ).json()
    assert [(item["issue_number"], item["headline"]) for item in listed["items"]] == [
        (2, "全会开幕"), (1, "分组讨论情况"), (3, "全会闭幕"),
    ]  # fmt: skip
    announced = events(newsroom.supervision, ISSUED)
    assert [(event["title"], event["issue_number"]) for event in announced] == [
        (f"{NAME}（第1期）", 1), ("江南省巡视工作会议简报（第1期）", 1), (f"{NAME}（第2期）", 2),
        (f"{NAME}（第3期）", 3),
    ]  # fmt: skip
    assert announced[0]["pdf"] is None  # unclassified: nothing for the documents room to register


async def test_issues_at_once_never_share_a_number_and_leave_no_gap(newsroom: Newsroom) -> None:
    meeting_id = await newsroom.meeting()
    drafts = [(await newsroom.draft(meeting_id, headline=f"第{n}篇")).json()["id"] for n in range(6)]

    issued = await asyncio.gather(*(newsroom.issue(meeting_id, bulletin_id) for bulletin_id in drafts))
    again = await asyncio.gather(*(newsroom.issue(meeting_id, bulletin_id) for bulletin_id in drafts[:2]))

    assert [response.status_code for response in issued] == [200] * 6
    assert sorted(response.json()["issue_number"] for response in issued) == [1, 2, 3, 4, 5, 6]
    assert [response.status_code for response in again] == [409, 409]
    assert sorted(event["issue_number"] for event in events(newsroom.supervision, ISSUED)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]


async def test_a_draft_is_edited_and_an_issued_bulletin_never_changes(newsroom: Newsroom) -> None:
    meeting_id = await newsroom.meeting()
    drafted = (await newsroom.draft(meeting_id)).json()
    url = f"/api/v1/meetings/{meeting_id}/bulletins/{drafted['id']}"
    body = {
        "name": "全会简报",
        "unit": "全会秘书组",
        "headline": "各组讨论热烈",
        "write_up": "key_report",
        "sections": [{"heading": "一、总体情况", "items": [{"kind": "paragraph", "text": "讨论气氛热烈。"}]}],
        "recipients": {"report_to": ["省委"], "issue_to": ["各市纪委监委"]},
        "print_count": 80,
        "drafted_by": "简报组王强",
    }

    edited = await newsroom.http.put(url, json=body)
    issued = await newsroom.issue(meeting_id, drafted["id"])
    edited_after = await newsroom.http.put(url, json={**body, "headline": "改过的标题"})
    issued_again = await newsroom.issue(meeting_id, drafted["id"])

    assert edited.status_code == 200, edited.text
    assert (edited.json()["headline"], edited.json()["name"], edited.json()["version"]) == (
        "各组讨论热烈",
        "全会简报",
        2,
    )
    assert edited.json()["recipients"] == {
        "report_to": ["省委"], "send_to": [], "issue_to": ["各市纪委监委"], "extra_to": [],
    }  # fmt: skip
    assert issued.json()["issue_number"] == 1 and issued.json()["write_up"] == "key_report"
    for refused in (edited_after, issued_again):
        assert refused.status_code == 409
        assert refused.headers["content-type"] == PROBLEM_JSON
        assert refused.json()["type"] == "urn:huiwu:problem:already-issued"
    now = (await newsroom.http.get(url)).json()
    assert (now["headline"], now["issue_number"], now["version"]) == ("各组讨论热烈", 1, 3)
    assert len(events(newsroom.supervision, ISSUED)) == 1


# --- the printed bulletin ------------------------------------------------------------------------


async def test_the_bulletin_prints_on_a4_with_its_red_masthead_opinions_and_foot(newsroom: Newsroom) -> None:
    meeting_id = await newsroom.meeting()
    people = await newsroom.people(meeting_id, ("王芳", "省委组织部副部长"))
    said = await newsroom.opinion(
        meeting_id, speaker={"attendee_id": people["王芳"]}, kind="suggestion",
        text="建议进一步加强基层监督力量配备。",
    )  # fmt: skip
    drafted = await newsroom.draft(
        meeting_id,
        sections=[
            {"heading": "一、关于工作报告", "items": [
                {"kind": "paragraph", "text": "大家一致认为，报告实事求是。"},
                {"kind": "opinion", "opinion_id": said.json()["id"]},
            ]},
        ],
        recipients={"report_to": ["省委", "中央纪委国家监委"], "send_to": ["省人大常委会办公厅"],
                    "issue_to": ["各市纪委监委"], "extra_to": ["省委巡视办"]},
    )  # fmt: skip
    proof = await newsroom.pdf(meeting_id, drafted.json()["id"])
    await newsroom.issue(meeting_id, drafted.json()["id"])

    printed = await newsroom.pdf(meeting_id, drafted.json()["id"])

    assert printed.status_code == 200, printed.text
    assert printed.headers["content-type"] == "application/pdf"
    assert quote(f"{NAME}（第1期）.pdf") in printed.headers["content-disposition"]
    day = local_date(utcnow())
    text = pdf_text(printed.content)
    for expected in (
        NAME, "第1期", "大会秘书处", f"{day.year}年{day.month}月{day.day}日",
        "各组认真讨论省纪委常委会工作报告", "一、关于工作报告", "大家一致认为，报告实事求是。",
        "王芳（省委组织部副部长）：建议进一步加强基层监督力量配备。", "报：省委，中央纪委国家监委",
        "送：省人大常委会办公厅", "发：各市纪委监委", "增发：省委巡视办", "（共印120份）",
    ):  # fmt: skip
        assert expected in text, expected
    assert "密" not in text and "编号" not in text  # unclassified: no marking, no copy number
    page = PdfReader(io.BytesIO(printed.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
    (left, _, right, name_top), colour = where(printed.content, NAME)
    assert colour == (230, 0, 0)  # red
    assert abs((left + right) / 2 - 105 * MM) < 3 * MM  # centred on the type area (28 mm to 184 mm)
    (unit_left, _, _, unit_top), _ = where(printed.content, "大会秘书处")
    (_, _, date_right, date_top), _ = where(printed.content, f"{day.year}年{day.month}月{day.day}日")
    assert abs(unit_left - 28 * MM) < 2 * MM and unit_top < name_top  # left, under the name
    assert abs(date_right - 184 * MM) < 2 * MM and abs(unit_top - date_top) < 2  # right, on the same line
    assert "（草稿）" in pdf_text(proof.content) and "第1期" not in pdf_text(proof.content)
    assert (
        hashlib.sha256(printed.content).hexdigest()
        == (
            await newsroom.http.get(f"/api/v1/meetings/{meeting_id}/bulletins/{drafted.json()['id']}")
        ).json()["file_sha256"]
    )


async def test_a_classified_bulletin_is_marked_and_shown_only_to_those_cleared(newsroom: Newsroom) -> None:
    meeting_id = await newsroom.meeting()
    confidential = await newsroom.issued(meeting_id, classification="confidential", secrecy_years=1)
    top_secret = await newsroom.issued(meeting_id, classification="top_secret", headline="关于某专案的情况")
    url = f"/api/v1/meetings/{meeting_id}/bulletins"

    printed = (await newsroom.pdf(meeting_id, confidential["id"])).content
    refused = await newsroom.http.get(f"{url}/{confidential['id']}.pdf", headers=SECRET_ONLY)
    listed = (await newsroom.http.get(url, headers=SECRET_ONLY)).json()["items"]
    drafting_above = await newsroom.http.post(
        url, headers=SECRET_ONLY,
        json={"headline": "机密简报", "classification": "confidential", "print_count": 5,
              "drafted_by": "赵敏", "sections": [{"items": [{"kind": "paragraph", "text": "正文"}]}]},
    )  # fmt: skip

    assert confidential["marking"] == "机密★1年" and top_secret["marking"] == "绝密★30年"
    (marking_left, _, _, marking_top), _ = where(printed, "机密★1年")
    (number_left, _, _, number_top), _ = where(printed, "编号")
    (_, _, _, name_top), _ = where(printed, NAME)
    assert abs(marking_left - 28 * MM) < 2 * MM and marking_top > name_top  # top left, above the masthead
    assert number_left > 105 * MM and number_top > marking_top  # right half, on the first line
    for response in (refused, drafting_above):
        assert response.status_code == 403
        assert response.json()["type"] == "urn:huiwu:problem:clearance-required"
    assert [item["headline"] for item in listed] == ["各组认真讨论省纪委常委会工作报告", "（绝密简报）"]


# --- a classified bulletin in the documents room -------------------------------------------------


async def test_a_classified_bulletin_is_registered_by_the_documents_room_once(
    newsroom: Newsroom, start_service: StartService
) -> None:
    documents = await start_service(documents_service)
    meeting_id = await newsroom.meeting()
    people = await newsroom.people(meeting_id, ("王芳", "省委组织部副部长"))
    bulletin = await newsroom.issued(
        meeting_id, classification="confidential", print_count=30,
        recipients={"report_to": ["省委"], "issue_to": ["各市纪委监委"]},
    )  # fmt: skip
    registered_url = f"/api/v1/meetings/{meeting_id}/documents/bulletins/{bulletin['id']}"

    async def registered() -> dict[str, Any] | None:
        response = await documents.http.get(registered_url)
        return response.json() if response.status_code == 200 else None

    found = await eventually(registered, what="documents registers the bulletin")
    document = found["document"]
    assert found["bulletin_id"] == bulletin["id"] and found["issue_number"] == 1
    assert found["recipients"]["report_to"] == ["省委"]
    assert (document["title"], document["reference"], document["category"]) == (
        f"{NAME}（第1期）",
        "第1期",
        "bulletin",
    )
    assert (document["classification"], document["marking"], document["status"]) == (
        "confidential", "机密★20年", "released",
    )  # fmt: skip
    assert document["print_run"] == 30 and document["file_sha256"] == bulletin["file_sha256"]
    document_url = f"/api/v1/meetings/{meeting_id}/documents/{document['id']}"
    copies = (await documents.http.get(f"{document_url}/copies")).json()
    assert copies["counts"]["printed"] == 30 and copies["items"][-1]["copy_no"] == "000030"

    async def roster_known() -> bool:
        report = (await documents.http.get(f"/api/v1/meetings/{meeting_id}/sync")).json()
        return bool(report.get("attendees") == 1)

    await eventually(roster_known, what="documents knows the roster")
    handed = await documents.http.post(
        f"{document_url}/distribute",
        json={"issued_by": "机要员张三", "to": {"kind": "people", "attendee_ids": [people["王芳"]]}},
    )
    copy = await documents.http.get(f"{document_url}/copies/000001/file")
    assert handed.status_code == 200, handed.text
    assert copy.status_code == 200, copy.text
    marked = pdf_text(copy.content)
    assert "各组认真讨论省纪委常委会工作报告" in marked and "000001" in marked and "王芳" in marked

    await announce_again(newsroom, documents, meeting_id)

    assert count_rows(documents, BulletinDocument) == 1
    assert count_rows(documents, Document) == 1
    assert count_rows(documents, DocumentFile) == 1
    assert count_rows(documents, Copy) == 30


async def announce_again(newsroom: Newsroom, documents: RunningService, meeting_id: str) -> None:
    """The issued event delivered twice (stored again, without JetStream's de-duplication) and
    announced again under a new event id; then an unclassified bulletin's event, which documents
    applies after both, as it comes after them on the stream."""
    [original] = issued_rows(newsroom.supervision)
    headers = {name: value for name, value in json.loads(original.headers).items() if name != MSG_ID_HEADER}
    bus = newsroom.supervision.runtime.bus
    await bus.publish(original.nats_subject, original.payload.encode(), headers)
    again = mint(BulletinIssued.model_validate_json(original.payload), producer="supervision",
                 subject=json.loads(original.payload)["bulletin_id"], meeting_id=meeting_id)  # fmt: skip
    await bus.publish(again.nats_subject, again.nats_payload(), again.nats_headers())
    await newsroom.issued(meeting_id)
    marker = issued_rows(newsroom.supervision)[-1].event_id

    def applied() -> bool:
        with Session(documents.runtime.engine) as session:
            seen = set(session.scalars(select(InboxEntry.event_id)))  # type: ignore[call-overload]
        return {again.id, marker} <= seen

    await eventually(applied, what="documents applies every announcement")


def issued_rows(service: RunningService) -> list[OutboxEvent]:
    with Session(service.runtime.engine) as session:
        query = select(OutboxEvent).where(col(OutboxEvent.event_type) == ISSUED)
        return list(session.scalars(query.order_by(col(OutboxEvent.position))))


async def test_a_classified_bulletin_too_large_for_its_event_is_not_issued(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id = await newsroom.meeting()
    drafted = (await newsroom.draft(meeting_id, classification="secret")).json()
    monkeypatch.setattr(bulletins, "MAX_PDF_IN_EVENT", 1024)

    refused = await newsroom.issue(meeting_id, drafted["id"])

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "sections"
    assert refused.json()["errors"][0]["rule"] == "too_long_to_register"
    assert (await newsroom.http.get(f"/api/v1/meetings/{meeting_id}/bulletins/{drafted['id']}")).json()[
        "issue_number"
    ] is None
    assert (count_rows(newsroom.supervision, IssuedFile), events(newsroom.supervision, ISSUED)) == (0, [])
    monkeypatch.undo()
    assert (await newsroom.issue(meeting_id, drafted["id"])).json()["issue_number"] == 1  # no number lost


# --- situation reports ---------------------------------------------------------------------------


async def test_a_situation_report_goes_straight_to_the_presiding_officer_and_the_leaders(
    newsroom: Newsroom,
) -> None:
    meeting_id = await newsroom.meeting()
    people = await newsroom.people(
        meeting_id, ("陈刚", "省委常委、省纪委书记、省监委主任"), ("李明", "省纪委副书记")
    )
    said = (await newsroom.opinion(meeting_id)).json()
    url = f"/api/v1/meetings/{meeting_id}/situation-reports"
    body = {
        "title": "部分代表建议充实基层监督力量",
        "text": "省直机关第一组讨论时，多名同志提出……",
        "source_opinion_ids": [said["id"]],
        "presiding_officer": {"attendee_id": people["陈刚"]},
        "leaders": [{"attendee_id": people["李明"]}, {"name": "张华", "post": "省委副秘书长"}],
        "sent_by": "督查室李明",
    }

    sent = await newsroom.http.post(url, json=body)

    assert sent.status_code == 201, sent.text
    addressees = [(a["role"], a["name"], a["post"]) for a in sent.json()["addressees"]]
    assert addressees == [
        ("presiding", "陈刚", "省委常委、省纪委书记、省监委主任"), ("leader", "李明", "省纪委副书记"),
        ("leader", "张华", "省委副秘书长"),
    ]  # fmt: skip
    [event] = events(newsroom.supervision, REPORT_SENT)
    assert event["report_id"] == sent.json()["id"] and event["title"] == body["title"]
    assert [(a["role"], a["attendee_id"]) for a in event["addressees"]] == [
        ("presiding", people["陈刚"]), ("leader", people["李明"]), ("leader", None),
    ]  # fmt: skip
    assert event["source_opinion_ids"] == [said["id"]]
    listed = (await newsroom.http.get(url)).json()
    assert [report["title"] for report in listed["items"]] == [body["title"]]
    assert (await newsroom.http.get(sent.headers["Location"])).json()["text"] == body["text"]

    async def published() -> bool:
        with Session(newsroom.supervision.runtime.engine) as session:
            row = session.scalars(select(OutboxEvent).where(col(OutboxEvent.event_type) == REPORT_SENT)).one()
            return row.published_at is not None

    await eventually(published, what="the report's event is on NATS")


# --- bad input -----------------------------------------------------------------------------------

UNKNOWN = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    ("what", "fields", "field", "rule"),
    [
        ("opinions", {"speaker": {"name": "周强"}}, "speaker", "name_and_post_required"),
        ("opinions", {"speaker": {"attendee_id": UNKNOWN, "name": "周强"}}, "speaker", "attendee_or_name"),
        ("opinions", {"speaker": {"attendee_id": UNKNOWN}}, "speaker.attendee_id", "not_on_roster"),
        ("opinions", {"kind": "complaint"}, "kind", "enum"),
        ("opinions", {"text": "长" * 5001}, "text", "string_too_long"),
        ("opinions", {"group": {"id": "g-1"}}, "group.name", "missing"),
        ("bulletins", {"print_count": 0}, "print_count", "greater_than_equal"),
        ("bulletins", {"secrecy_years": 5}, "body", "period_without_level"),
        ("bulletins", {"classification": "secret", "secrecy_years": 11}, "body", "period_too_long"),
        ("bulletins", {"sections": []}, "sections", "too_short"),
        ("bulletins", {"sections": [{"items": [{"kind": "opinion", "opinion_id": UNKNOWN}]}]},
         "sections.0.items.0.opinion_id", "unknown_opinion"),
        ("bulletins", {"sections": [{"items": [{"kind": "photo"}]}]},
         "sections.0.items.0", "union_tag_invalid"),
        ("bulletins", {"name": "简" * 101}, "name", "string_too_long"),
        ("bulletins", {"recipients": {"report_to": [" "]}}, "recipients.report_to.0", "string_too_short"),
        ("situation-reports", {"source_opinion_ids": [UNKNOWN]}, "source_opinion_ids.0", "unknown_opinion"),
        ("situation-reports", {"leaders": [{"name": "陈刚", "post": "省纪委书记"}]},
         "leaders.0", "addressed_twice"),
        ("situation-reports", {"presiding_officer": None}, "presiding_officer", "model_attributes_type"),
    ],
)  # fmt: skip
async def test_bad_input_is_refused_naming_the_field_and_rule_and_nothing_is_written(
    newsroom: Newsroom, what: str, fields: dict[str, Any], field: str, rule: str
) -> None:
    meeting_id = await newsroom.meeting()
    bodies: dict[str, dict[str, Any]] = {
        "opinions": {
            "group": {"id": "g-1", "name": "省直机关第一组"}, "speaker": {"name": "周强", "post": "副厅长"},
            "kind": "opinion", "text": "赞同。", "recorded_by": "王强",
        },
        "bulletins": {
            "headline": "标题", "sections": [{"items": [{"kind": "paragraph", "text": "正文"}]}],
            "print_count": 10, "drafted_by": "王强",
        },
        "situation-reports": {
            "title": "情况反映", "text": "正文", "presiding_officer": {"name": "陈刚", "post": "省纪委书记"},
            "sent_by": "李明",
        },
    }  # fmt: skip

    response = await newsroom.http.post(
        f"/api/v1/meetings/{meeting_id}/{what}", json={**bodies[what], **fields}
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert any(e["field"] == field and e["rule"] == rule for e in response.json()["errors"]), response.json()
    written = [count_rows(newsroom.supervision, model) for model in (Opinion, Bulletin, SituationReport)]
    assert written == [0, 0, 0]
    assert events(newsroom.supervision, ISSUED) == events(newsroom.supervision, REPORT_SENT) == []


async def test_a_meeting_supervision_does_not_know_is_not_found(newsroom: Newsroom) -> None:
    response = await newsroom.draft(UNKNOWN)

    assert response.status_code == 404
    assert response.json()["field"] == "meeting_id"
    assert count_rows(newsroom.supervision, Bulletin) == 0


async def test_a_meeting_name_too_long_for_a_masthead_needs_a_shorter_one(newsroom: Newsroom) -> None:
    meeting_id = await newsroom.meeting(name="江" * 99)

    default = await newsroom.draft(meeting_id)
    named = await newsroom.draft(meeting_id, name="全会简报")

    assert default.status_code == 422
    assert default.json()["errors"][0]["field"] == "name"
    assert default.json()["errors"][0]["rule"] == "name_too_long"
    assert named.status_code == 201 and named.json()["name"] == "全会简报"
    assert count_rows(newsroom.supervision, Bulletin) == 1


def test_the_gateway_sends_these_paths_to_supervision_and_the_register_to_documents() -> None:
    meeting = "/api/v1/meetings/m-1"
    for path in ("opinions", "opinions/o-1", "bulletins", "bulletins/b-1", "bulletins/b-1.pdf",
                 "bulletins/b-1/issue", "situation-reports", "situation-reports/r-1"):  # fmt: skip
        assert resolve(f"{meeting}/{path}").service == "supervision", path
    assert resolve(f"{meeting}/documents/bulletins/b-1").service == "documents"
