"""ETags and If-Match, in each service that keeps versions: a single resource answers with a strong
ETag; a write carrying a stale If-Match is refused with 412 naming the current ETag, and nothing
changes (no row, no event); the current tag or ``*`` goes through and answers the new ETag; a
write without the header is the old last-writer-wins. Two writers holding the same tag: one wins."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from huiwu.errors import DomainError
from huiwu.preconditions import PreconditionFailed, require
from huiwu.testing.fixtures import StartService
from services.documents.main import definition as documents_service
from services.registration.main import definition as registration_service
from tests.documents_desk import TOP, small_pdf
from tests.supervision_desk import OFFICE, start_supervision
from tests.test_registration_roster import events_of, new_meeting, register
from tests.test_slice_end_to_end import create_meeting
from tests.venue_desk import start_desk

PROBLEM_JSON = "application/problem+json"
REGISTRATION = "huiwu.registration"
Write = Callable[[dict[str, str]], Awaitable[httpx.Response]]


class Row:
    """Something with a version, as ``require`` sees a resource that was never stored."""

    def __init__(self, version: int) -> None:
        self.version = version


def stale(etag: str) -> str:
    return f'"{int(etag.strip(chr(34))) - 1}"'


async def read(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[str, Any]:
    response = await http.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    return response.headers["etag"], response.json()


async def assert_guarded(
    http: httpx.AsyncClient, url: str, write: Write, headers: dict[str, str] | None = None
) -> str:
    """The resource at ``url`` guards ``write`` with its ETag: a stale tag is 412 naming the
    current one and changes nothing; the current tag goes through and answers the new ETag, which
    the resource then shows; the tag it replaced is stale from then on. Returns the new ETag."""
    headers = headers or {}
    etag, before = await read(http, url, headers)

    refused = await write({**headers, "If-Match": stale(etag)})
    _, after_refusal = await read(http, url, headers)
    done = await write({**headers, "If-Match": etag})
    new_etag, after = await read(http, url, headers)
    replayed = await write({**headers, "If-Match": etag})

    assert refused.status_code == 412, refused.text
    assert refused.headers["content-type"] == PROBLEM_JSON
    problem = refused.json()
    assert (problem["type"], problem["current_etag"]) == ("urn:huiwu:problem:precondition-failed", etag)
    assert after_refusal == before
    assert done.status_code in (200, 201), done.text
    assert done.headers.get("etag", new_etag) == new_etag != etag
    assert after["version"] == before["version"] + 1
    assert replayed.status_code == 412 and replayed.json()["current_etag"] == new_etag
    return new_etag


def test_if_match_names_tags_in_a_list_or_any_and_never_matches_a_weak_one() -> None:
    def passes(if_match: str, version: int = 3) -> bool:
        try:
            require(if_match, None, lambda: Row(version))  # type: ignore[arg-type]  # a Row is never stored: no session needed
        except PreconditionFailed:
            return False
        return True

    assert passes('"3"') and passes('"1", "3"') and passes("*") and passes(' "3" ,')
    assert not passes('"2"') and not passes('W/"3"') and not passes('"2", W/"3"')
    assert passes('"0"', version=0)  # a resource's defaults, before anyone set them
    for malformed in ("3", '"3" "4"', "", "W/3", '"3",,x'):
        with pytest.raises(DomainError) as refused:
            passes(malformed)
        assert refused.value.status == 422
        assert refused.value.extensions["errors"][0] | {"message": ""} == {
            "field": "If-Match", "in": "header", "rule": "entity_tag", "message": "",
        }  # fmt: skip


async def test_registration_meetings_and_attendees_take_if_match(start_service: StartService) -> None:
    registration = await start_service(registration_service)
    http = registration.http
    meeting_id = await new_meeting(registration)
    meeting = f"/api/v1/meetings/{meeting_id}"
    created = await register(registration, meeting_id, "王芳")
    attendee = f"{meeting}/attendees/{created.json()['id']}"

    async def patch_meeting(headers: dict[str, str]) -> httpx.Response:
        return await http.patch(meeting, json={"name": f"会议{uuid.uuid4().hex[:4]}"}, headers=headers)

    async def patch_attendee(headers: dict[str, str]) -> httpx.Response:
        return await http.patch(attendee, json={"title": f"委员{uuid.uuid4().hex[:4]}"}, headers=headers)

    await assert_guarded(http, meeting, patch_meeting)
    etag = await assert_guarded(http, attendee, patch_attendee)
    refused_withdrawal = await http.post(
        f"{attendee}/withdraw", json={"reason": "因公出差"}, headers={"If-Match": stale(etag)}
    )
    withdrawn = await http.post(
        f"{attendee}/withdraw", json={"reason": "因公出差"}, headers={"If-Match": etag}
    )
    any_tag = await patch_meeting({"If-Match": "*"})
    no_tag = await patch_meeting({})

    assert refused_withdrawal.status_code == 412
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.headers["etag"] == f'"{withdrawn.json()["version"]}"'
    assert any_tag.status_code == 200 and no_tag.status_code == 200
    # Each refusal recorded no event: one per change that went through.
    assert events_of(registration, f"{REGISTRATION}.meeting.updated.v1") == 3
    assert events_of(registration, f"{REGISTRATION}.attendee.updated.v1") == 1
    assert events_of(registration, f"{REGISTRATION}.attendee.withdrawn.v1") == 1


async def test_venue_sessions_and_protocol_take_if_match(start_service: StartService) -> None:
    desk = await start_desk(start_service)
    http = desk.venue.http
    meeting_id = await desk.meeting()
    room = await desk.room()
    scheduled = await desk.session(meeting_id, room)
    assert scheduled.status_code == 201, scheduled.text
    agenda = f"/api/v1/meetings/{meeting_id}/sessions/{scheduled.json()['id']}"
    protocol = f"/api/v1/meetings/{meeting_id}/protocol"
    layouts = iter(["vertical", "horizontal", "vertical", "horizontal"])

    async def retitle(headers: dict[str, str]) -> httpx.Response:
        return await http.patch(
            agenda, json={"title": f"第{uuid.uuid4().hex[:4]}次全体会议"}, headers=headers
        )

    async def set_protocol(headers: dict[str, str]) -> httpx.Response:
        return await http.put(protocol, json={"hall_layout": next(layouts)}, headers=headers)

    defaults_etag, _ = await read(http, protocol, {})
    await assert_guarded(http, agenda, retitle)
    await assert_guarded(http, protocol, set_protocol)
    etag, _ = await read(http, agenda, {})
    cancelled = await http.post(
        f"{agenda}/cancel", json={"reason": "议程调整"}, headers={"If-Match": stale(etag)}
    )

    assert defaults_etag == '"0"'  # the defaults, before anyone set them
    assert cancelled.status_code == 412
    assert (await read(http, agenda, {}))[1]["status"] != "cancelled"


async def test_a_documents_upload_and_review_take_if_match(start_service: StartService) -> None:
    documents = await start_service(documents_service)
    http = documents.http
    meeting_id = str(uuid.uuid4())
    body = {"title": "省纪委工作报告", "category": "report", "print_run": 2, "registered_by": "机要员张三"}
    created = await http.post(f"/api/v1/meetings/{meeting_id}/documents", json=body, headers=TOP)
    assert created.status_code == 201, created.text
    document = f"/api/v1/meetings/{meeting_id}/documents/{created.json()['id']}"

    async def upload(headers: dict[str, str]) -> httpx.Response:
        return await http.put(
            f"{document}/file", params={"by": "机要员张三"}, content=small_pdf(),
            headers={**headers, "content-type": "application/pdf"},
        )  # fmt: skip

    async def submit(headers: dict[str, str]) -> httpx.Response:
        return await http.post(
            f"{document}/review", json={"action": "submit", "by": "秘书长"}, headers=headers
        )

    await assert_guarded(http, document, upload, TOP)
    await assert_guarded(http, document, submit, TOP)


async def test_supervision_task_actions_and_settings_take_if_match(start_service: StartService) -> None:
    desk = await start_supervision(start_service)
    meeting_id = desk.meeting()
    task = await desk.task(meeting_id)
    url = desk.url(meeting_id, str(task["id"]))
    settings = f"/api/v1/meetings/{meeting_id}/supervision/settings"
    formats = iter(["督字〔{year}〕{n}号", "督办〔{year}〕{n}号", "督查〔{year}〕{n}号"])

    async def assign(headers: dict[str, str]) -> httpx.Response:
        return await desk.http.post(f"{url}/assign", json={"note": "请按时限办理"}, headers=headers)

    async def start(headers: dict[str, str]) -> httpx.Response:
        return await desk.http.post(f"{url}/start", headers=headers)

    async def set_settings(headers: dict[str, str]) -> httpx.Response:
        return await desk.http.put(settings, json={"number_format": next(formats)}, headers=headers)

    await assert_guarded(desk.http, url, assign, OFFICE)
    await assert_guarded(desk.http, url, start, OFFICE)
    defaults_etag, _ = await read(desk.http, settings, OFFICE)
    await assert_guarded(desk.http, settings, set_settings, OFFICE)

    assert defaults_etag == '"0"'
    assert (await desk.detail(meeting_id, str(task["id"])))["state"] == "in_progress"


async def test_of_two_writers_holding_the_same_tag_one_wins(start_service: StartService) -> None:
    registration = await start_service(registration_service)
    meeting = f"/api/v1/meetings/{await new_meeting(registration)}"
    etag, _ = await read(registration.http, meeting, {})

    answers = await asyncio.gather(
        *(registration.http.patch(meeting, json={"name": name}, headers={"If-Match": etag})
          for name in ("甲会议", "乙会议", "丙会议", "丁会议"))
    )  # fmt: skip
    _, final = await read(registration.http, meeting, {})

    assert sorted(answer.status_code for answer in answers) == [200, 412, 412, 412]
    (winner,) = [answer.json() for answer in answers if answer.status_code == 200]
    assert (final["name"], final["version"]) == (winner["name"], 2)


async def test_a_malformed_if_match_is_refused_naming_the_header(start_service: StartService) -> None:
    registration = await start_service(registration_service)
    meeting = f"/api/v1/meetings/{await new_meeting(registration)}"

    response = await registration.http.patch(meeting, json={"name": "新名称"}, headers={"If-Match": "1"})

    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON
    assert [(e["field"], e["in"], e["rule"]) for e in response.json()["errors"]] == [
        ("If-Match", "header", "entity_tag")
    ]
    assert (await read(registration.http, meeting, {}))[1]["version"] == 1


def test_the_gateway_passes_etags_and_if_match_through(gateway: httpx.Client) -> None:
    meeting = f"/api/v1/meetings/{create_meeting(gateway)}"

    etag = gateway.get(meeting).headers["etag"]
    refused = gateway.patch(meeting, json={"name": "改名"}, headers={"If-Match": stale(etag)})
    changed = gateway.patch(meeting, json={"name": "改名"}, headers={"If-Match": etag})

    assert refused.status_code == 412 and refused.json()["current_etag"] == etag == '"1"'
    assert changed.status_code == 200 and changed.headers["etag"] == '"2"'
