"""Leaving the meeting (离会清退), a saga between registration and documents, both in-process on one
real nats-server: registration asks, documents answers granted or denied with the copies still
out, the person is departed or blocked, and the last copy coming back clears them. It completes
when either side was down at the moment, and answers to older requests change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlmodel import col

from huiwu.auth import ADMIN, Clearance, Principal
from huiwu.events.catalog import Classification, ClearanceDenied, ClearanceGranted, DepartureRequested
from huiwu.events.envelope import mint
from huiwu.inbox import InboxEntry
from huiwu.outbox import OutboxEvent
from huiwu.service import ServiceDefinition, create_service_app
from huiwu.settings import Settings
from huiwu.testing.fixtures import RunningService, StartService, assertion_headers, eventually, service_client
from services.documents.main import definition as documents_service
from services.registration.departure.models import Departure
from services.registration.main import definition as registration_service
from tests.messaging import count_rows
from tests.test_registration_roster import new_meeting, register

# The caller and clearance the gateway vouches for in its signed assertion.
CLERK = assertion_headers(Principal("机要员张三", frozenset({ADMIN}), Clearance.top_secret))
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
REPORT = "省纪委工作报告"
SECRET_TITLE = "关于某专案的情况通报"  # top secret: its title must never reach registration
PROBLEM_JSON = "application/problem+json"


def departure_url(meeting_id: str, attendee_id: str) -> str:
    return f"/api/v1/meetings/{meeting_id}/attendees/{attendee_id}/departure"


@asynccontextmanager
async def running(
    definition: ServiceDefinition, settings: Settings, **flags: bool
) -> AsyncIterator[RunningService]:
    """A service the test stops itself (``start_service`` keeps its own until the end)."""
    app = create_service_app(definition, settings, **flags)
    async with app.router.lifespan_context(app), service_client(app) as client:
        service = RunningService(app, client)
        await eventually(lambda: service.runtime.stream_ready, what=f"{definition.name} stream")
        yield service


async def meeting_with(registration: RunningService, *names: str) -> tuple[str, dict[str, str]]:
    meeting_id = await new_meeting(registration)
    ids = {}
    for name in names:
        response = await register(registration, meeting_id, name)
        assert response.status_code == 201, response.text
        ids[name] = str(response.json()["id"])
    return meeting_id, ids


async def roster_known(documents: RunningService, meeting_id: str, count: int) -> None:
    async def known() -> bool:
        report = (await documents.http.get(f"/api/v1/meetings/{meeting_id}/sync")).json()
        return bool(report.get("attendees") == count)

    await eventually(known, what=f"documents knows {count} attendees")


async def approved_document(documents: RunningService, meeting_id: str, title: str, level: str) -> str:
    url = f"/api/v1/meetings/{meeting_id}/documents"
    body = {"title": title, "category": "report", "classification": level, "print_run": 5,
            "registered_by": "机要员张三"}  # fmt: skip
    created = await documents.http.post(url, json=body, headers=CLERK)
    assert created.status_code == 201, created.text
    url = f"{url}/{created.json()['id']}"
    uploaded = await documents.http.put(
        f"{url}/file", params={"by": "机要员张三"}, content=PDF,
        headers={**CLERK, "content-type": "application/pdf"},
    )  # fmt: skip
    assert uploaded.status_code == 200, uploaded.text
    for action in ("submit", "approve"):
        reviewed = await documents.http.post(
            f"{url}/review", json={"action": action, "by": "秘书长"}, headers=CLERK
        )
        assert reviewed.status_code == 200, reviewed.text
    return str(created.json()["id"])


async def hand_out(
    documents: RunningService, meeting_id: str, document_id: str, *people: str
) -> dict[str, str]:
    """Issue one copy to each person; their copy numbers by attendee id."""
    url = f"/api/v1/meetings/{meeting_id}/documents/{document_id}/distribute"
    body = {"issued_by": "机要员张三", "to": {"kind": "people", "attendee_ids": list(people)}}
    response = await documents.http.post(url, json=body, headers=CLERK)
    assert response.status_code == 200, response.text
    return {copy["attendee_id"]: copy["copy_no"] for copy in response.json()["items"]}


async def settle(
    documents: RunningService, meeting_id: str, document_id: str, copy_no: str, how: str
) -> None:
    bodies: dict[str, dict[str, Any]] = {
        "return": {"returned_by": "王芳", "received_by": "机要员张三", "complete": True},
        "missing": {"circumstances": "离会前清点时未找到", "reported_by": "机要员张三"},
    }
    url = f"/api/v1/meetings/{meeting_id}/documents/{document_id}/copies/{copy_no}/{how}"
    response = await documents.http.post(url, json=bodies[how], headers=CLERK)
    assert response.status_code == 200, response.text


async def depart(registration: RunningService, meeting_id: str, attendee_id: str) -> httpx.Response:
    return await registration.http.post(departure_url(meeting_id, attendee_id))


async def departure_becomes(
    registration: RunningService, meeting_id: str, attendee_id: str, status: str
) -> dict[str, Any]:
    async def read() -> dict[str, Any] | None:
        body: dict[str, Any] = (await registration.http.get(departure_url(meeting_id, attendee_id))).json()
        return body if body.get("status") == status else None

    found: dict[str, Any] = await eventually(read, what=f"departure {status}")
    return found


def requests_sent(registration: RunningService) -> int:
    kind = DepartureRequested.event_type("registration")
    return count_rows(registration, OutboxEvent, col(OutboxEvent.event_type) == kind)


def answers_published(documents: RunningService, contract: type[ClearanceGranted | ClearanceDenied]) -> int:
    kind = contract.event_type("documents")
    return count_rows(
        documents,
        OutboxEvent,
        col(OutboxEvent.event_type) == kind,
        col(OutboxEvent.published_at).is_not(None),
    )


async def answer_as_documents(
    documents: RunningService, registration: RunningService, answer: ClearanceDenied
) -> None:
    """Publish an answer on documents' stream as documents would; wait until registration applied it."""
    event = mint(answer, producer="documents", subject=answer.attendee_id, meeting_id=answer.meeting_id)
    await documents.runtime.bus.publish(event.nats_subject, event.nats_payload(), event.nats_headers())
    await eventually(
        lambda: count_rows(registration, InboxEntry, col(InboxEntry.event_id) == event.id) == 1,
        what="registration applies the answer",
    )


async def test_people_without_copies_depart_even_after_withdrawing(start_service: StartService) -> None:
    registration = await start_service(registration_service)
    await start_service(documents_service)
    meeting_id, ids = await meeting_with(registration, "王芳", "李明")
    withdrawn = await registration.http.post(
        f"/api/v1/meetings/{meeting_id}/attendees/{ids['李明']}/withdraw", json={"reason": "另有公务"}
    )
    assert withdrawn.status_code == 200, withdrawn.text

    asked = {name: await depart(registration, meeting_id, attendee_id) for name, attendee_id in ids.items()}

    for response in asked.values():
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "requested"
        assert response.json()["reasons"] == ["等待机要文件室核对文件清退情况"]
    assert asked["王芳"].headers["Location"] == departure_url(meeting_id, ids["王芳"])
    for attendee_id in ids.values():
        departed = await departure_becomes(registration, meeting_id, attendee_id, "departed")
        assert departed["outstanding"] == [] and departed["reasons"] == []
        assert departed["decided_at"] is not None


async def test_a_holder_of_copies_is_blocked_and_cleared_when_the_last_one_comes_back(
    start_service: StartService,
) -> None:
    registration = await start_service(registration_service)
    documents = await start_service(documents_service)
    meeting_id, ids = await meeting_with(registration, "王芳", "李明")
    wang = ids["王芳"]
    await roster_known(documents, meeting_id, 2)
    report = await approved_document(documents, meeting_id, REPORT, Classification.confidential)
    secret = await approved_document(documents, meeting_id, SECRET_TITLE, Classification.top_secret)
    report_copies = await hand_out(documents, meeting_id, report, wang, ids["李明"])
    secret_copies = await hand_out(documents, meeting_id, secret, wang)

    first = await depart(registration, meeting_id, wang)
    blocked = await departure_becomes(registration, meeting_id, wang, "blocked")

    assert first.status_code == 202
    assert blocked["request_id"] == first.json()["request_id"]
    assert blocked["outstanding"] == [
        {"document_id": report, "title": REPORT, "copy_no": report_copies[wang],
         "classification": "confidential"},
        {"document_id": secret, "title": "（绝密文件）", "copy_no": secret_copies[wang],
         "classification": "top_secret"},
    ]  # fmt: skip
    assert blocked["reasons"] == [
        f"尚有2份文件未清退：《{REPORT}》{report_copies[wang]}、《（绝密文件）》{secret_copies[wang]}"
    ]
    assert SECRET_TITLE not in (await registration.http.get(departure_url(meeting_id, wang))).text

    # One copy back, she asks again: a new request, refused again for the one copy left.
    await settle(documents, meeting_id, report, report_copies[wang], "return")
    again = await depart(registration, meeting_id, wang)
    assert again.status_code == 202 and again.json()["status"] == "requested"
    assert again.json()["request_id"] != first.json()["request_id"]

    async def blocked_on_one() -> bool:
        state = (await registration.http.get(departure_url(meeting_id, wang))).json()
        return state["status"] == "blocked" and len(state["outstanding"]) == 1

    await eventually(blocked_on_one, what="blocked on the top-secret copy alone")

    # The last copy back: documents clears her by itself; the grant of her first request is stale.
    await settle(documents, meeting_id, secret, secret_copies[wang], "return")
    departed = await departure_becomes(registration, meeting_id, wang, "departed")

    assert departed["request_id"] == again.json()["request_id"]
    assert departed["outstanding"] == [] and departed["reasons"] == []
    assert requests_sent(registration) == 2


async def test_a_copy_declared_missing_no_longer_holds_its_holder(start_service: StartService) -> None:
    """Missing is settled too: the loss is reported (R3.8); the person is not kept waiting for it."""
    registration = await start_service(registration_service)
    documents = await start_service(documents_service)
    meeting_id, ids = await meeting_with(registration, "王芳")
    await roster_known(documents, meeting_id, 1)
    report = await approved_document(documents, meeting_id, REPORT, Classification.secret)
    copies = await hand_out(documents, meeting_id, report, ids["王芳"])
    await depart(registration, meeting_id, ids["王芳"])
    await departure_becomes(registration, meeting_id, ids["王芳"], "blocked")

    await settle(documents, meeting_id, report, copies[ids["王芳"]], "missing")

    await departure_becomes(registration, meeting_id, ids["王芳"], "departed")


async def test_asking_while_documents_is_down_waits_for_it_and_asking_twice_is_one_request(
    start_service: StartService,
) -> None:
    registration = await start_service(registration_service)  # documents is not running
    meeting_id, ids = await meeting_with(registration, "王芳")

    first = await depart(registration, meeting_id, ids["王芳"])
    second = await depart(registration, meeting_id, ids["王芳"])

    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json() == first.json()
    assert requests_sent(registration) == 1

    await start_service(documents_service)
    await departure_becomes(registration, meeting_id, ids["王芳"], "departed")
    after = await depart(registration, meeting_id, ids["王芳"])

    assert after.status_code == 409
    assert after.headers["content-type"].startswith(PROBLEM_JSON)
    assert after.json()["type"] == "urn:huiwu:problem:already-departed"
    assert requests_sent(registration) == 1


async def test_a_request_made_while_documents_was_stopped_is_answered_when_it_restarts(
    start_service: StartService,
) -> None:
    registration = await start_service(registration_service)
    # The same nats-server and databases as the services start_service runs.
    async with running(documents_service, registration.runtime.settings) as documents:
        meeting_id, ids = await meeting_with(registration, "王芳")
        await roster_known(documents, meeting_id, 1)
        report = await approved_document(documents, meeting_id, REPORT, Classification.secret)
        copies = await hand_out(documents, meeting_id, report, ids["王芳"])

    asked = await depart(registration, meeting_id, ids["王芳"])
    assert asked.status_code == 202
    documents = await start_service(documents_service)

    blocked = await departure_becomes(registration, meeting_id, ids["王芳"], "blocked")
    assert [copy["copy_no"] for copy in blocked["outstanding"]] == [copies[ids["王芳"]]]

    await settle(documents, meeting_id, report, copies[ids["王芳"]], "return")
    await departure_becomes(registration, meeting_id, ids["王芳"], "departed")


async def test_an_answer_given_while_registration_was_not_consuming_lands_when_it_restarts(
    start_service: StartService,
) -> None:
    documents = await start_service(documents_service)
    async with running(registration_service, documents.runtime.settings, consumers=False) as deaf:
        meeting_id, ids = await meeting_with(deaf, "王芳")
        asked = await depart(deaf, meeting_id, ids["王芳"])
        await eventually(
            lambda: answers_published(documents, ClearanceGranted) == 1, what="documents answers"
        )

        waiting = (await deaf.http.get(departure_url(meeting_id, ids["王芳"]))).json()
        assert waiting["status"] == "requested"

    registration = await start_service(registration_service)
    departed = await departure_becomes(registration, meeting_id, ids["王芳"], "departed")

    assert departed["request_id"] == asked.json()["request_id"]


async def test_a_late_refusal_or_an_answer_to_no_request_changes_nothing(start_service: StartService) -> None:
    """Redelivery reorders: a refusal arriving after the grant of the same request must not block
    a person who has left; an answer nobody asked for is ignored."""
    registration = await start_service(registration_service)
    documents = await start_service(documents_service)
    meeting_id, ids = await meeting_with(registration, "王芳", "李明")
    asked = await depart(registration, meeting_id, ids["王芳"])
    await departure_becomes(registration, meeting_id, ids["王芳"], "departed")
    late = ClearanceDenied(
        meeting_id=meeting_id, attendee_id=ids["王芳"], request_id=asked.json()["request_id"], outstanding=[]
    )
    unasked = ClearanceDenied(
        meeting_id=meeting_id, attendee_id=ids["李明"], request_id="nobody-asked", outstanding=[]
    )

    for answer in (late, unasked):
        await answer_as_documents(documents, registration, answer)

    wang = await registration.http.get(departure_url(meeting_id, ids["王芳"]))
    assert wang.json()["status"] == "departed"
    assert (await registration.http.get(departure_url(meeting_id, ids["李明"]))).status_code == 404
    assert count_rows(registration, Departure) == 1


async def test_a_departure_for_nobody_is_refused_and_nothing_is_written(start_service: StartService) -> None:
    registration = await start_service(registration_service)
    meeting_id, ids = await meeting_with(registration, "王芳")
    other_meeting, _ = await meeting_with(registration)

    refused = {
        "unknown meeting": await depart(registration, "no-such-meeting", ids["王芳"]),
        "unknown attendee": await depart(registration, meeting_id, "no-such-attendee"),
        "another meeting's attendee": await depart(registration, other_meeting, ids["王芳"]),
        "never asked": await registration.http.get(departure_url(meeting_id, ids["王芳"])),
    }

    for what, response in refused.items():
        assert response.status_code == 404, what
        assert response.headers["content-type"].startswith(PROBLEM_JSON), what
    assert refused["unknown attendee"].json()["field"] == "attendee_id"
    assert refused["never asked"].json()["detail"] == f"attendee {ids['王芳']} has not asked to leave"
    assert count_rows(registration, Departure) == 0
    assert requests_sent(registration) == 0
