"""Trust between the gateway and the services: a service believes only a signed, fresh assertion
of who is calling, and checks scope, meeting and kiosk limits again itself. Services run
in-process on a real nats-server; requests go to them directly, as if the gateway were bypassed."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from sqlmodel import col, select

from huiwu.assertions import ASSERTION_HEADER, Signer, Verifier, sign
from huiwu.auth import ADMIN, Clearance, Principal, TokenKind, authorize
from huiwu.errors import DomainError
from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import TEST_ASSERTION_KEY, RunningService, StartService
from huiwu.testing.problems import assert_problem, refusal_reason
from services.documents.main import definition as documents_service
from services.registration.main import definition as registration_service
from tests.test_registration_roster import new_meeting, register

CLERK = Principal("机要员张三", frozenset({"documents:read"}), Clearance.secret, token_id="t-1")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LEVELS = [level.name for level in Clearance]  # none, secret, confidential, top_secret
SCOPES = ["registration:read", "venue:read", "documents:read", "documents:write", "supervision:read"]
ADMIN_CALLER = Principal("办公厅会务处", frozenset({ADMIN}), Clearance.top_secret, token_id="t-admin")
READER = Principal("报名组查询", frozenset({"registration:read"}), token_id="t-reader")


def reason_of(error: pytest.ExceptionInfo[DomainError]) -> tuple[int, str]:
    return error.value.status, str(error.value.extensions["reason"])


def tampered(assertion: str, **claims: Any) -> str:
    """The same signature on a body with ``claims`` changed."""
    body, _, signature = assertion.partition(".")
    decoded = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**decoded, **claims}).encode()).decode().rstrip("=")
    return f"{forged}.{signature}"


# The kernel on its own.


def test_an_assertion_carries_the_caller_there_and_back() -> None:
    caller = Principal("北门签到机1号", frozenset({"registration:*"}), Clearance.confidential,
                       token_id="t-9", meeting_id="m-1", kind=TokenKind.kiosk)  # fmt: skip

    assert Verifier(TEST_ASSERTION_KEY).principal(sign(caller, TEST_ASSERTION_KEY)) == caller


@pytest.mark.parametrize(
    ("assertion", "reason"),
    [
        (None, "missing-assertion"),
        ("", "missing-assertion"),
        ("garbage", "bad-assertion"),
        (sign(CLERK, "another platform's key"), "bad-assertion"),
        (sign(CLERK, TEST_ASSERTION_KEY).partition(".")[0], "bad-assertion"),  # unsigned
        (tampered(sign(CLERK, TEST_ASSERTION_KEY), clearance="top_secret"), "bad-assertion"),
        (tampered(sign(CLERK, TEST_ASSERTION_KEY), scopes=[ADMIN]), "bad-assertion"),
        (sign(CLERK, TEST_ASSERTION_KEY, now=time.time() - 61), "assertion-expired"),
    ],
    ids=["none", "empty", "garbage", "other-key", "unsigned", "raised-clearance", "added-scope", "expired"],
)
def test_anything_but_a_fresh_assertion_signed_with_the_platform_key_is_refused(
    assertion: str | None, reason: str
) -> None:
    with pytest.raises(DomainError) as refused:
        Verifier(TEST_ASSERTION_KEY).principal(assertion)

    assert reason_of(refused) == (401, reason)


def test_a_remembered_assertion_still_expires() -> None:
    verifier = Verifier(TEST_ASSERTION_KEY)
    assertion = sign(CLERK, TEST_ASSERTION_KEY)
    assert verifier.principal(assertion) == CLERK

    with pytest.raises(DomainError) as refused:
        verifier.principal(assertion, now=time.time() + 61)

    assert reason_of(refused) == (401, "assertion-expired")


def test_a_service_without_the_key_refuses_everyone() -> None:
    with pytest.raises(DomainError) as refused:
        Verifier(None).principal(sign(CLERK, TEST_ASSERTION_KEY))

    assert reason_of(refused) == (401, "no-assertion-key")


def test_the_gateway_signs_once_per_caller_not_once_per_request() -> None:
    signer = Signer(TEST_ASSERTION_KEY)
    other = Principal("机要员李四", CLERK.scopes, CLERK.clearance, token_id="t-2")

    assert signer.assertion_for(CLERK) == signer.assertion_for(CLERK)
    assert signer.assertion_for(other) != signer.assertion_for(CLERK)


@pytest.mark.parametrize(
    ("scopes", "granted"),
    [
        ({ADMIN}, {"registration:read", "registration:write", "venue:write", "documents:read"}),
        ({"venue:*"}, {"venue:read", "venue:write"}),
        ({"documents:read"}, {"documents:read"}),
        ({"documents:write"}, {"documents:write"}),
    ],
)
def test_a_scope_grants_its_department_and_mode_and_nothing_else(scopes: set[str], granted: set[str]) -> None:
    caller = Principal("会务组", frozenset(scopes))
    every = {f"{department}:{mode}" for department in ("registration", "venue", "documents", "supervision")
             for mode in ("read", "write")}  # fmt: skip

    assert {scope for scope in every if caller.allows(scope)} == granted | (
        every if ADMIN in scopes else set()
    )


KIOSK = Principal("北门签到机", frozenset({"registration:read", "registration:write"}), kind=TokenKind.kiosk)
ATTENDEE = "9b2f64a4-7c1e-4f8e-9d55-2c3b1a0e6f11"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/api/v1/meetings/m1/checkins", True),
        ("GET", "/api/v1/meetings/m1/attendees", True),
        ("GET", f"/api/v1/meetings/m1/attendees/{ATTENDEE}", True),
        ("GET", "/api/v1/meetings/m1/attendees/export.xlsx", False),
        ("GET", "/api/v1/meetings/m1/attendees/badges.pdf", False),
        ("GET", f"/api/v1/meetings/m1/attendees/{ATTENDEE}/badge", False),
        ("PATCH", f"/api/v1/meetings/m1/attendees/{ATTENDEE}", False),
        ("POST", "/api/v1/meetings/m1/attendees", False),
        ("GET", "/api/v1/meetings/m1/checkins/refused", False),
        ("GET", "/api/v1/meetings/m1", False),
        ("GET", "/api/v1/meetings", False),
    ],
)
def test_a_kiosk_scans_and_looks_people_up_and_does_nothing_else(
    method: str, path: str, allowed: bool
) -> None:
    if allowed:
        authorize(KIOSK, method, path, "registration")
        return
    with pytest.raises(DomainError) as refused:
        authorize(KIOSK, method, path, "registration")
    assert reason_of(refused) == (403, "kiosk")


# Services, called directly.


@pytest.fixture
async def registration(start_service: StartService) -> RunningService:
    return await start_service(registration_service, relay=False, consumers=False)


async def test_a_service_without_an_assertion_is_401_but_health_and_its_description_stay_open(
    registration: RunningService,
) -> None:
    bare = httpx.AsyncClient(transport=httpx.ASGITransport(app=registration.app), base_url="http://service")
    async with bare:
        listed = await bare.get("/api/v1/meetings")
        created = await bare.post("/api/v1/meetings", json={"name": "全会", "starts_on": "2027-01-12",
                                                              "ends_on": "2027-01-14"})  # fmt: skip
        open_ones = [(await bare.get(path)).status_code for path in ("/healthz", "/readyz", "/metrics",
                                                                      "/openapi.json", "/docs")]  # fmt: skip
        elsewhere = await bare.get("/not-under-the-api")

    assert assert_problem(listed, 401)["reason"] == "missing-assertion"
    assert listed.headers["WWW-Authenticate"] == "Bearer"
    assert assert_problem(created, 401)["reason"] == "missing-assertion"
    assert open_ones == [200, 200, 200, 200, 200]
    assert assert_problem(elsewhere, 401)["reason"] == "missing-assertion"  # closed unless named open
    assert (await registration.http.get("/api/v1/meetings")).json()["items"] == []  # nothing was written


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (lambda: sign(ADMIN_CALLER, "not the platform key"), "bad-assertion"),
        (lambda: sign(ADMIN_CALLER, TEST_ASSERTION_KEY, now=time.time() - 120), "assertion-expired"),
        (lambda: sign(ADMIN_CALLER, TEST_ASSERTION_KEY).partition(".")[0], "bad-assertion"),
        (lambda: tampered(sign(READER, TEST_ASSERTION_KEY), scopes=[ADMIN]), "bad-assertion"),
    ],
    ids=["forged", "expired", "unsigned", "tampered"],
)
async def test_a_forged_expired_unsigned_or_tampered_assertion_changes_nothing(
    registration: RunningService, forge: Any, reason: str
) -> None:
    body = {"name": "全会", "starts_on": "2027-01-12", "ends_on": "2027-01-14"}

    response = await registration.http.post(
        "/api/v1/meetings", json=body, headers={ASSERTION_HEADER: forge()}
    )

    assert assert_problem(response, 401)["reason"] == reason
    assert (await registration.http.get("/api/v1/meetings")).json()["items"] == []


async def test_the_service_checks_the_scope_by_department_and_method_again(
    registration: RunningService,
) -> None:
    meeting_id = await new_meeting(registration)
    reader = registration.as_principal(READER)
    venue_only = registration.as_principal(Principal("会场组", frozenset({"venue:*"})))

    read = await reader.get(f"/api/v1/meetings/{meeting_id}")
    write = await reader.post(f"/api/v1/meetings/{meeting_id}/attendees", json={"name": "王芳"})
    other_department = await venue_only.get(f"/api/v1/meetings/{meeting_id}")

    assert read.status_code == 200
    assert assert_problem(write, 403)["required_scope"] == "registration:write"
    assert assert_problem(other_department, 403)["required_scope"] == "registration:read"


async def test_a_token_for_one_meeting_reaches_no_other(registration: RunningService) -> None:
    mine, theirs = await new_meeting(registration), await new_meeting(registration)
    local = registration.as_principal(
        Principal("甲会议联络员", frozenset({"registration:*"}), meeting_id=mine)
    )

    assert (await local.get(f"/api/v1/meetings/{mine}/attendees")).status_code == 200
    assert assert_problem(await local.get(f"/api/v1/meetings/{theirs}"), 403)["reason"] == "meeting"
    assert assert_problem(await local.get(f"/api/v1/meetings/{theirs}/attendees"), 403)["reason"] == "meeting"
    assert assert_problem(await local.get("/api/v1/meetings"), 403)["reason"] == "meeting"


async def test_a_kiosk_assertion_scans_a_badge_and_nothing_more(registration: RunningService) -> None:
    meeting_id = await new_meeting(registration)
    attendee = (await register(registration, meeting_id, "王芳")).json()
    badge = (
        await registration.http.get(f"/api/v1/meetings/{meeting_id}/attendees/{attendee['id']}/badge")
    ).json()
    kiosk = registration.as_principal(
        Principal("北门签到机", frozenset({"registration:read", "registration:write"}), meeting_id=meeting_id,
                  kind=TokenKind.kiosk)
    )  # fmt: skip
    base = f"/api/v1/meetings/{meeting_id}"

    scanned = await kiosk.post(f"{base}/checkins", json={"badge": badge["token"]})
    looked_up = await kiosk.get(f"{base}/attendees/{attendee['id']}")
    exported = await kiosk.get(f"{base}/attendees/export.xlsx")
    registered = await kiosk.post(f"{base}/attendees", json={"name": "丁一", "organization": "省审计厅"})

    assert scanned.status_code == 201 and scanned.json()["name"] == "王芳"
    assert looked_up.status_code == 200
    assert assert_problem(exported, 403)["reason"] == "kiosk"
    assert assert_problem(registered, 403)["reason"] == "kiosk"


async def test_the_actor_of_an_event_is_the_asserted_caller(registration: RunningService) -> None:
    await registration.as_principal(ADMIN_CALLER).post(
        "/api/v1/meetings", json={"name": "全会", "starts_on": "2027-01-12", "ends_on": "2027-01-14"}
    )

    with registration.runtime.make_session() as session:
        (row,) = session.scalars(
            select(OutboxEvent).where(col(OutboxEvent.event_type).contains("meeting"))
        ).all()
    assert unquote(json.loads(row.headers)["ce-actor"]) == "办公厅会务处"  # NATS headers are ASCII


# Every department scope × every classification × every clearance, at the documents service.


async def approved_document(documents: RunningService, meeting_id: str, classification: str) -> str:
    url = f"/api/v1/meetings/{meeting_id}/documents"
    body = {"title": f"{classification}级材料", "category": "report", "classification": classification,
            "print_run": 2, "registered_by": "机要员张三"}  # fmt: skip
    created = await documents.http.post(url, json=body)
    assert created.status_code == 201, created.text
    url = f"{url}/{created.json()['id']}"
    uploaded = await documents.http.put(f"{url}/file", params={"by": "机要员张三"}, content=PDF,
                                        headers={"content-type": "application/pdf"})  # fmt: skip
    assert uploaded.status_code == 200, uploaded.text
    for action in ("submit", "approve"):
        reviewed = await documents.http.post(f"{url}/review", json={"action": action, "by": "秘书长"})
        assert reviewed.status_code == 200, reviewed.text
    return str(created.json()["id"])


async def test_a_document_opens_only_to_documents_read_at_its_level_or_above(
    start_service: StartService,
) -> None:
    documents = await start_service(documents_service, relay=False, consumers=False)
    meeting_id = "3f0c9a52-0a43-4c0b-8a7e-6f3f2d6a9b10"
    files = {}
    for level in LEVELS:
        document_id = await approved_document(documents, meeting_id, level)
        files[level] = f"/api/v1/meetings/{meeting_id}/documents/{document_id}/file"

    answers: dict[tuple[str, str, str], str] = {}
    for scope in SCOPES:
        for clearance in LEVELS:
            caller = documents.as_principal(
                Principal(f"{scope}-{clearance}", frozenset({scope}), Clearance[clearance])
            )
            for classification, url in files.items():
                answers[scope, clearance, classification] = refusal_reason(await caller.get(url))

    assert answers == {
        (scope, clearance, classification): (
            "scope" if scope != "documents:read"
            else "ok" if LEVELS.index(clearance) >= LEVELS.index(classification)
            else "clearance-required"
        )
        for scope in SCOPES for clearance in LEVELS for classification in LEVELS
    }  # fmt: skip
