"""Documents (issue 5): the register, review, numbered copies issued in protocol order, their
return, retention or loss, and who may see what. Registration, venue and documents run
in-process on a real nats-server, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import StartService, eventually
from services.documents.copies.models import Copy
from services.documents.documents.models import Document
from tests.documents_desk import TOP, Office, cleared, pdf_text, small_pdf, start_office
from tests.messaging import count_rows

PEOPLE: list[tuple[str, dict[str, Any]]] = [
    ("周强", {"category": "observer"}),
    ("王建国", {"rank": 1}),
    ("李明", {"rank": 2}),
    ("丁一", {}),
    ("马六", {}),
    ("赵会务", {"category": "staff"}),
]


@pytest.fixture
async def office(start_service: StartService) -> Office:
    return await start_office(start_service)


def events(office: Office, name: str) -> list[dict[str, Any]]:
    with Session(office.documents.runtime.engine) as session:
        rows = session.scalars(
            select(OutboxEvent)
            .where(col(OutboxEvent.event_type) == f"huiwu.documents.copy.{name}.v1")
            .order_by(col(OutboxEvent.position))
        )
        return [json.loads(row.payload) for row in rows]


async def test_a_document_is_numbered_at_once_and_marked_as_printed(office: Office) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE[:1])

    confidential = await office.document(meeting_id, classification="confidential", print_run=350)
    short = await office.document(meeting_id, classification="secret", secrecy_months=6, print_run=3)

    assert confidential.status_code == 201, confidential.text
    assert confidential.json()["marking"] == "机密★20年"  # no period given: 20 years for 机密
    assert short.json()["marking"] == "秘密★6个月"
    copies = await office.copies(meeting_id, confidential.json()["id"])
    numbers = [copy["copy_no"] for copy in copies["items"]]
    assert numbers[0] == "000001" and numbers[-1] == "000350" and len(set(numbers)) == 350
    nothing_issued = {"issued": 0, "outstanding": 0, "returned": 0, "retained": 0, "missing": 0}
    assert copies["counts"] == {"printed": 350, "in_stock": 350, **nothing_issued}


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"classification": "secret", "secrecy_years": 11}, "body", "period_too_long"),
        ({"classification": "secret", "secrecy_years": 1, "secrecy_months": 6}, "body", "one_period"),
        ({"secrecy_years": 5}, "body", "period_without_level"),
        ({"print_run": 0}, "print_run", "greater_than_equal"),
        ({"classification": "restricted"}, "classification", "enum"),
        ({"embargo_until": "2027-01-12T09:00:00"}, "embargo_until", "timezone_aware"),
        ({"title": " "}, "title", "string_too_short"),
    ],
)
async def test_a_bad_document_is_refused_naming_the_rule_and_nothing_is_written(
    office: Office, fields: dict[str, Any], field: str, rule: str
) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE[:1])

    response = await office.document(meeting_id, **fields)

    assert response.status_code == 422, response.text
    assert any(e["field"].startswith(field) and e["rule"] == rule for e in response.json()["errors"])
    assert (count_rows(office.documents, Document), count_rows(office.documents, Copy)) == (0, 0)


async def test_review_goes_draft_in_review_approved_released_and_back_with_comments(office: Office) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE[:1])
    document = (await office.document(meeting_id)).json()
    url = f"/api/v1/meetings/{meeting_id}/documents/{document['id']}"

    async def step(action: str, **extra: Any) -> Any:
        return await office.http.post(
            f"{url}/review", json={"action": action, "by": "秘书长", **extra}, headers=TOP
        )

    async def upload(content: bytes) -> Any:
        headers = {**TOP, "content-type": "application/pdf"}
        return await office.http.put(f"{url}/file", params={"by": "起草人"}, content=content, headers=headers)

    no_file = await step("submit")
    not_pdf = await upload(b"<html>not a pdf</html>")
    first = await upload(small_pdf(1, "first draft"))
    submitted = await step("submit")
    locked = await upload(small_pdf(1, "sneaky edit"))
    no_comment = await step("send_back")
    sent_back = await step("send_back", comment="第三部分数据需核实")
    second = await upload(small_pdf(1, "second draft"))
    await step("submit")
    released_too_early = await step("release")
    approved = await step("approve")
    released = await step("release")
    again = await step("approve")

    assert no_file.status_code == 422 and no_file.json()["errors"][0]["rule"] == "file_required"
    assert not_pdf.status_code == 422 and not_pdf.json()["errors"][0]["rule"] == "not_a_pdf"
    assert submitted.json()["status"] == "in_review"
    assert locked.status_code == 409
    assert no_comment.status_code == 422
    assert sent_back.json()["status"] == "draft"
    assert (first.json()["file_version"], second.json()["file_version"]) == (1, 2)
    assert first.json()["file_sha256"] != second.json()["file_sha256"]
    assert released_too_early.status_code == 409
    assert released_too_early.json()["allowed"] == ["approve", "send_back"]
    assert approved.json()["status"] == "approved"
    assert released.json()["status"] == "released"
    assert again.status_code == 409
    assert "second draft" in pdf_text((await office.http.get(f"{url}/file", headers=TOP)).content)


async def test_a_press_release_is_published_only_after_approval_and_embargo(office: Office) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE[:1])
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    document = await office.approved(meeting_id, category="press_release", embargo_until=tomorrow)
    url = f"/api/v1/meetings/{meeting_id}/documents/{document['id']}/review"

    early = await office.http.post(url, json={"action": "release", "by": "新闻组"}, headers=TOP)

    assert early.status_code == 409
    assert early.json()["type"] == "urn:huiwu:problem:embargoed"
    assert (await office.http.get(url.removesuffix("/review"), headers=TOP)).json()["status"] == "approved"


async def test_copies_are_issued_in_protocol_order_once_each_and_all_or_nothing(office: Office) -> None:
    meeting_id, people = await office.meeting_with(PEOPLE)
    draft = (await office.document(meeting_id, print_run=6)).json()
    document = await office.approved(meeting_id, print_run=6)

    not_approved = await office.distribute(meeting_id, draft["id"], to={"kind": "everyone"})
    members = await office.distribute(meeting_id, document["id"], to={"kind": "members"})
    everyone = await office.distribute(meeting_id, document["id"], to={"kind": "everyone"})
    staff = await office.distribute(
        meeting_id, document["id"], to={"kind": "people", "attendee_ids": [people["赵会务"]]}
    )
    too_many = await office.distribute(meeting_id, document["id"], to={"kind": "everyone"})

    assert not_approved.status_code == 409
    issued = [(copy["copy_no"], copy["holder"]) for copy in members.json()["items"]]
    assert issued == [("000001", "王建国"), ("000002", "李明"), ("000003", "丁一"), ("000004", "马六")]
    assert [copy["holder"] for copy in everyone.json()["items"]] == ["周强"]  # members already have theirs
    assert staff.json()["counts"]["in_stock"] == 0
    assert too_many.status_code == 200 and too_many.json()["items"] == []  # nobody is left without one
    counts = (await office.copies(meeting_id, document["id"]))["counts"]
    assert counts["issued"] + counts["in_stock"] == counts["printed"] == 6
    assert len(events(office, "issued")) == 6


async def test_a_print_run_too_small_issues_nothing(office: Office) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE)
    document = await office.approved(meeting_id, print_run=2)

    refused = await office.distribute(meeting_id, document["id"], to={"kind": "everyone"})

    assert refused.status_code == 409
    assert (refused.json()["needed"], refused.json()["left"]) == (5, 2)
    assert (await office.copies(meeting_id, document["id"]))["counts"]["issued"] == 0
    assert events(office, "issued") == []


async def test_every_issued_copy_ends_returned_retained_or_missing_never_two(office: Office) -> None:
    meeting_id, people = await office.meeting_with(PEOPLE[1:5])
    document = await office.approved(meeting_id, classification="confidential", print_run=5)
    await office.distribute(meeting_id, document["id"], to={"kind": "members"})
    base = f"/api/v1/meetings/{meeting_id}/documents/{document['id']}/copies"
    back = {"returned_by": "王建国", "received_by": "机要员张三", "complete": True}
    kept = {"approval_reference": "会秘〔2027〕3号", "approved_by": "秘书长"}
    lost = {
        "circumstances": "清点时未找到",
        "reported_by": "机要员张三",
        "discovered_at": "2027-01-14T18:00:00+08:00",
    }

    async def act(copy_no: str, action: str, body: dict[str, Any]) -> Any:
        return await office.http.post(f"{base}/{copy_no}/{action}", json=body, headers=TOP)

    returned = await act("000001", "return", back)
    retained = await act("000002", "retain", kept)
    missing = await act("000003", "missing", lost)
    twice = await act("000001", "return", back)
    lost_after_return = await act("000001", "missing", lost)
    in_stock = await act("000005", "return", back)
    no_such = await act("000099", "return", back)

    assert [r.json()["status"] for r in (returned, retained, missing)] == ["returned", "retained", "missing"]
    assert [r.status_code for r in (twice, lost_after_return, in_stock, no_such)] == [409, 409, 409, 404]
    counts = (await office.copies(meeting_id, document["id"]))["counts"]
    assert counts == {"printed": 5, "in_stock": 1, "issued": 4, "outstanding": 1,
                      "returned": 1, "retained": 1, "missing": 1}  # fmt: skip
    (collected,) = events(office, "collected")
    assert (collected["copy_no"], collected["complete"]) == ("000001", True)
    (lost,) = events(office, "missing")
    assert (lost["copy_no"], lost["marking"], lost["attendee_id"]) == ("000003", "机密★20年", people["丁一"])
    assert datetime.fromisoformat(lost["report_due_at"]) - datetime.fromisoformat(
        lost["discovered_at"]
    ) == timedelta(hours=24)
    outstanding = await office.http.get(
        f"/api/v1/meetings/{meeting_id}/attendees/{people['马六']}/copies",
        params={"status": "issued"},
        headers=TOP,
    )
    assert [(copy["copy_no"], copy["marking"]) for copy in outstanding.json()] == [("000004", "机密★20年")]


async def test_a_substitute_does_not_inherit_the_original_s_copies(office: Office) -> None:
    meeting_id, people = await office.meeting_with(PEOPLE[1:4])
    document = await office.approved(meeting_id, print_run=5)
    await office.distribute(meeting_id, document["id"], to={"kind": "members"})
    substitute = await office.desk.registration.http.post(
        f"/api/v1/meetings/{meeting_id}/attendees/{people['丁一']}/substitute",
        json={"name": "黄大年", "organization": "省纪委监委", "title": "委员"},
    )
    substitute_id = substitute.json()["id"]

    async def substitute_known() -> bool:
        report = (await office.http.get(f"/api/v1/meetings/{meeting_id}/sync")).json()
        return bool(
            report["last_event_applied"] and report["last_event_applied"]["type"].endswith("substituted.v1")
        )

    await eventually(substitute_known, what="documents learns of the substitution")
    theirs = await office.http.get(
        f"/api/v1/meetings/{meeting_id}/attendees/{substitute_id}/copies", headers=TOP
    )
    originals = await office.http.get(
        f"/api/v1/meetings/{meeting_id}/attendees/{people['丁一']}/copies",
        params={"status": "issued"},
        headers=TOP,
    )
    later = await office.distribute(meeting_id, document["id"], to={"kind": "members"})

    assert theirs.json() == []
    assert [copy["copy_no"] for copy in originals.json()] == ["000003"]  # must still come back
    assert [copy["holder"] for copy in later.json()["items"]] == ["黄大年"]  # a copy of their own


async def test_clearance_decides_who_sees_content_and_every_access_is_recorded(office: Office) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE[:1])
    secret = await office.approved(meeting_id, title="关于换届人选的说明", classification="top_secret")
    url = f"/api/v1/meetings/{meeting_id}/documents/{secret['id']}"

    listed_low = await office.http.get(
        f"/api/v1/meetings/{meeting_id}/documents", headers=cleared("confidential")
    )
    listed_top = await office.http.get(f"/api/v1/meetings/{meeting_id}/documents", headers=TOP)
    refused = await office.http.get(f"{url}/file", headers=cleared("confidential", "办公室李四"))
    anonymous = await office.http.get(f"{url}/file", headers=cleared("none", "无密级的来人"))
    allowed = await office.http.get(f"{url}/file", headers=cleared("top_secret", "秘书长王五"))
    log = (await office.http.get(f"{url}/access", headers=TOP)).json()

    assert [item["title"] for item in listed_low.json()["items"]] == ["（绝密文件）"]
    assert [item["title"] for item in listed_top.json()["items"]] == ["关于换届人选的说明"]
    assert refused.status_code == 403 and refused.json()["required_clearance"] == "top_secret"
    assert anonymous.status_code == 403
    assert allowed.status_code == 200 and allowed.headers["content-type"] == "application/pdf"
    assert [(entry["who"], entry["kind"]) for entry in log] == [
        ("办公室李四", "refused"), ("无密级的来人", "refused"), ("秘书长王五", "download"),
    ]  # fmt: skip


async def test_a_session_s_documents_follow_it_when_it_moves(office: Office) -> None:
    meeting_id, people = await office.meeting_with(PEOPLE[1:5])
    room = await office.desk.room()
    session = (await office.desk.session(meeting_id, room, expected={"kind": "people",
               "attendee_ids": [people["王建国"], people["丁一"]]})).json()  # fmt: skip

    async def agenda_known() -> Any:
        response = await office.document(meeting_id, session_id=session["id"])
        return response if response.status_code == 201 else None

    document = (await eventually(agenda_known, what="documents learns of the session")).json()
    assert document["deliver_at"].startswith("2027-01-12T01:00:00")
    await office.desk.venue.http.patch(
        f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}",
        json={"starts_at": "2027-01-13T14:00:00+08:00", "ends_at": "2027-01-13T16:00:00+08:00"},
    )
    url = f"/api/v1/meetings/{meeting_id}/documents/{document['id']}"

    async def moved() -> Any:
        current = (await office.http.get(url, headers=TOP)).json()
        return current if current["deliver_at"].startswith("2027-01-13T06:00:00") else None

    await eventually(moved, what="the document's delivery follows the session")
    approved = await office.approved(meeting_id, title="分组讨论材料", print_run=4)
    to_session = await office.distribute(meeting_id, approved["id"], session_id=session["id"])
    assert [copy["holder"] for copy in to_session.json()["items"]] == ["王建国", "丁一"]


@pytest.mark.parametrize(
    ("audience", "status", "rule"),
    [
        ({}, 422, "one_audience"),
        ({"to": {"kind": "members"}, "session_id": "s1"}, 422, "one_audience"),
        ({"to": {"kind": "group"}}, 422, "group_id_required"),
        ({"session_id": "no-such-session"}, 404, None),
        ({"to": {"kind": "members"}, "issued_by": ""}, 422, "string_too_short"),
    ],
)
async def test_a_bad_distribution_is_refused_and_issues_nothing(
    office: Office, audience: dict[str, Any], status: int, rule: str | None
) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE[1:3])
    document = await office.approved(meeting_id, print_run=4)

    response = await office.distribute(meeting_id, document["id"], **audience)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if rule is not None:
        assert rule in {error["rule"] for error in response.json()["errors"]}
    assert (await office.copies(meeting_id, document["id"]))["counts"]["issued"] == 0


LEVELS = ["none", "secret", "confidential", "top_secret"]


@pytest.mark.parametrize("classification", ["secret", "confidential", "top_secret"])
async def test_each_level_opens_to_its_clearance_and_above_only(office: Office, classification: str) -> None:
    meeting_id, _ = await office.meeting_with(PEOPLE[:1])
    document = await office.approved(meeting_id, title="会议材料", classification=classification)
    url = f"/api/v1/meetings/{meeting_id}/documents/{document['id']}/file"

    answers = {level: (await office.http.get(url, headers=cleared(level, f"reader-{level}"))).status_code
               for level in LEVELS}  # fmt: skip

    needed = LEVELS.index(classification)
    assert answers == {level: 200 if LEVELS.index(level) >= needed else 403 for level in LEVELS}
    log = (await office.http.get(f"{url.removesuffix('/file')}/access", headers=TOP)).json()
    assert {(entry["who"], entry["kind"]) for entry in log} == {
        (f"reader-{level}", "download" if LEVELS.index(level) >= needed else "refused") for level in LEVELS
    }


async def test_a_person_cleared_to_leave_is_given_no_more_copies(office: Office) -> None:
    meeting_id, people = await office.meeting_with(PEOPLE[1:4])
    departure = f"/api/v1/meetings/{meeting_id}/attendees/{people['丁一']}/departure"
    assert (await office.desk.registration.http.post(departure)).status_code == 202

    async def departed() -> bool:
        state = (await office.desk.registration.http.get(departure)).json()
        return bool(state["status"] == "departed")

    await eventually(departed, what="丁一 is cleared to leave")
    document = await office.approved(meeting_id, print_run=5)

    issued = await office.distribute(meeting_id, document["id"], to={"kind": "members"})

    assert [copy["holder"] for copy in issued.json()["items"]] == ["王建国", "李明"]
