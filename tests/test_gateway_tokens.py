"""Tokens at the gateway, on real processes: issued once and stored hashed; scopes, clearance,
a meeting restriction and kiosk limits decide what each may do; expired and revoked tokens are
401; every refusal is in the audit. A service reached around the gateway refuses the caller."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session

import gateway.main  # noqa: F401  # every table of the gateway registered, for the comparison below
from gateway.audit.models import AuditEntry
from gateway.database import MIGRATIONS, Store, Table
from gateway.tokens import service as tokens
from gateway.tokens.book import BOOTSTRAP, FRESH_S, TokenBook
from gateway.tokens.models import ApiToken, TokenCreate
from gateway.tokens.revocations import RevocationNews
from huiwu import migrations
from huiwu.assertions import ASSERTION_HEADER, sign
from huiwu.auth import ADMIN, Clearance, Principal, digest
from huiwu.bus import Bus
from huiwu.db import create_db_engine
from huiwu.errors import DomainError
from huiwu.runner import Platform
from huiwu.tables import KernelTable
from huiwu.testing.databases import Databases
from huiwu.testing.fixtures import eventually
from huiwu.testing.nats import NatsServer
from huiwu.testing.problems import assert_problem, refusal_reason
from tests.test_slice_end_to_end import create_meeting, register

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LEVELS = [level.name for level in Clearance]  # none, secret, confidential, top_secret
DEPARTMENT_SCOPES = ["registration:read", "venue:read", "documents:read", "supervision:read"]


def issue(gateway: httpx.Client, **body: Any) -> dict[str, Any]:
    response = gateway.post("/api/v1/tokens", json={"name": f"令牌{uuid.uuid4().hex[:6]}", **body})
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


@contextmanager
def holding(platform: Platform, token: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=platform.url("gateway"), headers=headers, timeout=30) as client:
        yield client


def audit_of(gateway: httpx.Client, **filters: Any) -> list[dict[str, Any]]:
    response = gateway.get("/api/v1/audit", params={"limit": 500, **filters})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@contextmanager
def gateway_database(platform: Platform) -> Iterator[Session]:
    engine = create_db_engine(platform.env["HUIWU_GATEWAY_DATABASE_URL"])
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def test_the_gateway_migrations_build_exactly_its_models(databases: Databases) -> None:
    engine = create_db_engine(databases.url("gateway"))
    try:
        migrations.upgrade(engine, "gateway", MIGRATIONS, Table.metadata)
        migrations.upgrade(engine, "gateway", MIGRATIONS, Table.metadata)  # idempotent
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, [KernelTable.metadata, Table.metadata])  # type: ignore[arg-type]  # a list works; the stub says one
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()

    assert differences == []
    assert {ApiToken.__tablename__, AuditEntry.__tablename__} <= tables


T = TypeVar("T")


class CountingStore(Store):
    """The gateway's database, counting the transactions asked of it."""

    transactions = 0

    async def run(self, work: Callable[[Session], T]) -> T:
        self.transactions += 1
        return await super().run(work)


async def test_a_rush_with_one_token_reads_it_once_and_a_revocation_at_once(databases: Databases) -> None:
    store = CountingStore(databases.url("gateway"))
    try:
        store.migrate()
        token_in = TokenCreate.model_validate({"name": "北门签到机", "kind": "kiosk"})
        row, plain = await store.run(
            lambda session: tokens.issue(session=session, token_in=token_in, by=BOOTSTRAP)
        )
        book = TokenBook(store, bootstrap_token=None)
        before = store.transactions

        rush = await asyncio.gather(*(book.authenticate(f"Bearer {plain}") for _ in range(200)))
        later = await book.authenticate(f"Bearer {plain}")
        reads = store.transactions - before
        await store.run(lambda session: tokens.revoke(session=session, token_id=row.id, by=BOOTSTRAP))
        book.forget(digest(plain))
        with pytest.raises(DomainError) as refused:
            await book.authenticate(f"Bearer {plain}")
    finally:
        store.close()

    assert {principal.name for principal in [*rush, later]} == {"北门签到机"}
    assert reads == 1
    assert (refused.value.status, refused.value.extensions["reason"]) == (401, "token-revoked")


async def test_a_revocation_on_one_gateway_replica_is_refused_by_the_other_at_once(
    databases: Databases, nats_server: NatsServer
) -> None:
    """Two replicas share the database and each remembers the token for FRESH_S; the other
    replica refuses it long before its memory would expire, because it heard the revocation."""
    store = Store(databases.url("gateway"))
    buses = [Bus([nats_server.url], client_name=f"gateway-{n}") for n in (1, 2)]
    try:
        store.migrate()
        token_in = TokenCreate.model_validate({"name": "北门签到机", "kind": "kiosk"})
        row, plain = await store.run(
            lambda session: tokens.issue(session=session, token_in=token_in, by=BOOTSTRAP)
        )
        books = [TokenBook(store, bootstrap_token=None) for _ in buses]
        news = [RevocationNews(bus, book) for bus, book in zip(buses, books, strict=True)]
        for bus, heard in zip(buses, news, strict=True):
            bus.start()
            heard.start()
            await bus.wait_connected()
        for book in books:
            await book.authenticate(f"Bearer {plain}")  # remembered by both
        await asyncio.sleep(0.2)  # both subscribed

        revoked_at = time.monotonic()
        await store.run(lambda session: tokens.revoke(session=session, token_id=row.id, by=BOOTSTRAP))
        books[0].forget(digest(plain))
        await news[0].announce(digest(plain))
        reason = await eventually(lambda: refusal_by(books[1], plain), timeout=FRESH_S / 2, interval=0.01)
        heard_after = time.monotonic() - revoked_at
    finally:
        for heard in news:
            await heard.stop()
        for bus in buses:
            await bus.close()
        store.close()

    assert reason == "token-revoked"
    assert heard_after < 1.0 < FRESH_S


async def refusal_by(book: TokenBook, token: str) -> str | None:
    try:
        await book.authenticate(f"Bearer {token}")
    except DomainError as refused:
        return str(refused.extensions["reason"])
    return None


def test_a_token_is_shown_once_and_stored_only_as_its_digest(
    platform: Platform, gateway: httpx.Client
) -> None:
    response = gateway.post(
        "/api/v1/tokens",
        json={"name": "北门签到机1号", "kind": "kiosk", "expires_at": "2099-01-01T08:00:00+08:00"},
    )
    issued = response.json()
    plain = issued["token"]
    read = gateway.get(f"/api/v1/tokens/{issued['id']}").json()
    listed = [item for item in gateway.get("/api/v1/tokens", params={"limit": 500}).json()["items"]
              if item["id"] == issued["id"]]  # fmt: skip

    assert response.status_code == 201 and response.headers["location"] == f"/api/v1/tokens/{issued['id']}"
    assert plain.startswith("hw_") and len(plain) > 40
    assert (issued["name"], issued["status"], issued["clearance"]) == ("北门签到机1号", "active", "none")
    assert issued["scopes"] == ["registration:read", "registration:write"]
    assert issued["expires_at"] == "2099-01-01T00:00:00Z"
    assert "token" not in read and listed == [read]
    with gateway_database(platform) as session:
        row = session.get(ApiToken, issued["id"])
        assert row is not None and row.digest == hashlib.sha256(plain.encode()).hexdigest()
        for table in ("api_token", "audit"):
            for stored in session.execute(text(f"SELECT * FROM {table}")).all():
                assert plain not in " ".join(str(value) for value in stored)


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"scopes": ["venue:admin"]}, "scopes.0", "known_scope"),
        ({"scopes": []}, "scopes", "at_least_one_scope"),
        ({"kind": "kiosk", "scopes": ["documents:read"]}, "scopes", "kiosk_scopes"),
        ({"scopes": ["venue:read"], "clearance": "classified"}, "clearance", "enum"),
        ({"scopes": ["venue:read"], "expires_at": "2020-01-01T00:00:00+08:00"}, "expires_at", "in_future"),
        ({"scopes": ["venue:read"], "expires_at": "2099-01-01T00:00:00"}, "expires_at", "timezone_aware"),
        ({"scopes": ["venue:read"], "meeting_id": "no-such-meeting"}, "meeting_id", "known_meeting"),
        ({"scopes": ["venue:read"], "name": " "}, "name", "string_too_short"),
    ],
)
def test_a_bad_token_request_names_the_field_and_rule_and_issues_nothing(
    gateway: httpx.Client, body: dict[str, Any], field: str, rule: str
) -> None:
    before = len(gateway.get("/api/v1/tokens", params={"limit": 500}).json()["items"])

    response = gateway.post("/api/v1/tokens", json={"name": "会务组", **body})

    problem = assert_problem(response, 422)
    assert [(error["field"], error["rule"]) for error in problem["errors"]] == [(field, rule)]
    assert len(gateway.get("/api/v1/tokens", params={"limit": 500}).json()["items"]) == before


def test_only_an_admin_for_every_meeting_manages_tokens_and_never_above_its_clearance(
    platform: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    reader = issue(gateway, scopes=["registration:read"])
    local_admin = issue(gateway, scopes=[ADMIN], meeting_id=meeting_id, clearance="top_secret")
    secret_admin = issue(gateway, scopes=[ADMIN], clearance="secret")

    with holding(platform, reader["token"]) as client:
        by_reader = client.post("/api/v1/tokens", json={"name": "越权", "scopes": [ADMIN]})
    with holding(platform, local_admin["token"]) as client:
        by_local_admin = client.get("/api/v1/audit")
    with holding(platform, secret_admin["token"]) as client:
        above = client.post("/api/v1/tokens", json={"name": "绝密", "scopes": ["documents:read"],
                                                    "clearance": "top_secret"})  # fmt: skip
        within = client.post("/api/v1/tokens", json={"name": "秘密", "scopes": ["documents:read"],
                                                     "clearance": "secret"})  # fmt: skip

    assert assert_problem(by_reader, 403)["reason"] == "scope"
    assert assert_problem(by_local_admin, 403)["reason"] == "meeting"
    assert assert_problem(above, 403)["reason"] == "clearance"
    assert within.status_code == 201 and within.json()["created_by"] == secret_admin["name"]


def approved_document(gateway: httpx.Client, meeting_id: str, classification: str) -> str:
    url = f"/api/v1/meetings/{meeting_id}/documents"
    body = {"title": "会议材料", "category": "report", "classification": classification, "print_run": 2,
            "registered_by": "机要员张三"}  # fmt: skip
    created = gateway.post(url, json=body)
    assert created.status_code == 201, created.text
    url = f"{url}/{created.json()['id']}"
    uploaded = gateway.put(f"{url}/file", params={"by": "机要员张三"}, content=PDF,
                           headers={"content-type": "application/pdf"})  # fmt: skip
    assert uploaded.status_code == 200, uploaded.text
    for action in ("submit", "approve"):
        assert gateway.post(f"{url}/review", json={"action": action, "by": "秘书长"}).status_code == 200
    return f"{url}/file"


def test_each_department_scope_at_each_clearance_against_each_classification(
    platform: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    files = {level: approved_document(gateway, meeting_id, level) for level in LEVELS}
    tokens = {(scope, clearance): issue(gateway, scopes=[scope], clearance=clearance)
              for scope in DEPARTMENT_SCOPES for clearance in LEVELS}  # fmt: skip

    answers = {}
    for (scope, clearance), token in tokens.items():
        with holding(platform, token["token"]) as client:
            for classification, url in files.items():
                answers[scope, clearance, classification] = refusal_reason(client.get(url))

    assert answers == {
        (scope, clearance, classification): (
            "scope" if scope != "documents:read"
            else "ok" if LEVELS.index(clearance) >= LEVELS.index(classification)
            else "clearance-required"
        )
        for scope in DEPARTMENT_SCOPES for clearance in LEVELS for classification in LEVELS
    }  # fmt: skip
    # The gateway refused the wrong scopes; documents refused the low clearances. Both are audited.
    secret_reader = tokens["documents:read", "secret"]
    audited = audit_of(gateway, token_id=secret_reader["id"])
    assert {(entry["status"], entry["reason"], entry["path"]) for entry in audited} == {
        (403, "clearance-required", files["confidential"]),
        (403, "clearance-required", files["top_secret"]),
    }
    assert len(audited) == 2
    assert all(entry["token_name"] == secret_reader["name"] for entry in audited)
    assert {
        entry["reason"] for entry in audit_of(gateway, token_id=tokens["venue:read", "top_secret"]["id"])
    } == {"scope"}


def test_a_kiosk_scans_badges_and_looks_people_up_and_nothing_else(
    platform: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    attendee = register(gateway, meeting_id, "王芳")
    badge = gateway.get(f"/api/v1/meetings/{meeting_id}/attendees/{attendee['id']}/badge").json()["token"]
    kiosk = issue(gateway, name="北门签到机2号", kind="kiosk", meeting_id=meeting_id)
    base = f"/api/v1/meetings/{meeting_id}"

    with holding(platform, kiosk["token"]) as client:
        scanned = client.post(f"{base}/checkins", json={"badge": badge, "gate": "北门"})
        roster = client.get(f"{base}/attendees")
        one = client.get(f"{base}/attendees/{attendee['id']}")
        refusals = [
            client.get(f"{base}/attendees/export.xlsx"),
            client.get(f"{base}/attendees/{attendee['id']}/badge"),
            client.post(f"{base}/attendees", json={"name": "丁一", "organization": "省审计厅"}),
            client.get(base),
            client.get(f"{base}/sessions"),
            client.get(f"{base}/documents"),
            client.get("/api/v1/tokens"),
        ]

    assert scanned.status_code == 201 and scanned.json()["name"] == "王芳"
    assert roster.status_code == 200 and [item["name"] for item in roster.json()["items"]] == ["王芳"]
    assert one.status_code == 200
    assert [assert_problem(response, 403)["reason"] for response in refusals] == ["kiosk"] * 6 + ["scope"]


def test_a_token_reads_what_it_may_do_kiosks_and_one_meeting_tokens_included(
    platform: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    kiosk = issue(gateway, name="北门签到机1号", kind="kiosk", meeting_id=meeting_id)
    reader = issue(gateway, name="会务组查询", scopes=["venue:read", "registration:read"], clearance="secret")

    with holding(platform, kiosk["token"]) as client:
        as_kiosk = client.get("/api/v1/tokens/me")
    with holding(platform, reader["token"]) as client:
        as_reader = client.get("/api/v1/tokens/me")
    with holding(platform, "not-a-token") as client:
        unknown = client.get("/api/v1/tokens/me")
    as_admin = gateway.get("/api/v1/tokens/me")

    assert as_kiosk.status_code == 200 and as_kiosk.json() == {
        "token_id": kiosk["id"],
        "name": "北门签到机1号",
        "kind": "kiosk",
        "scopes": kiosk["scopes"],
        "clearance": "none",
        "meeting_id": meeting_id,
    }
    assert as_reader.json() | {"token_id": None} == {
        "token_id": None,
        "name": "会务组查询",
        "kind": "standard",
        "scopes": ["registration:read", "venue:read"],
        "clearance": "secret",
        "meeting_id": None,
    }
    assert as_admin.json()["scopes"] == ["admin"] and as_admin.json()["clearance"] == "top_secret"
    assert_problem(unknown, 401)


def test_a_token_for_one_meeting_is_refused_every_other(platform: Platform, gateway: httpx.Client) -> None:
    mine, theirs = create_meeting(gateway, "甲会议"), create_meeting(gateway, "乙会议")
    local = issue(gateway, scopes=["registration:read", "venue:read"], meeting_id=mine)

    with holding(platform, local["token"]) as client:
        allowed = [client.get(f"/api/v1/meetings/{mine}"), client.get(f"/api/v1/meetings/{mine}/attendees")]
        others = [
            client.get(f"/api/v1/meetings/{theirs}"),
            client.get(f"/api/v1/meetings/{theirs}/attendees"),
            client.get(f"/api/v1/meetings/{theirs}/sessions"),
            client.get("/api/v1/meetings"),
        ]

    assert [response.status_code for response in allowed] == [200, 200]
    assert [assert_problem(response, 403)["reason"] for response in others] == ["meeting"] * 4
    assert len(audit_of(gateway, token_id=local["id"], status=403)) == 4


def test_a_revoked_token_is_refused_at_once_and_an_expired_one_when_it_expires(
    platform: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    revoked = issue(gateway, scopes=["registration:read"])
    expiring = issue(gateway, scopes=["registration:read"],
                     expires_at=(datetime.now(UTC) + timedelta(seconds=3)).isoformat())  # fmt: skip
    url = f"/api/v1/meetings/{meeting_id}"

    with holding(platform, revoked["token"]) as client:
        assert client.get(url).status_code == 200  # now the gateway remembers it
        assert gateway.delete(f"/api/v1/tokens/{revoked['id']}").status_code == 204
        assert assert_problem(client.get(url), 401)["reason"] == "token-revoked"
    assert gateway.delete(f"/api/v1/tokens/{revoked['id']}").status_code == 204  # once is enough
    with holding(platform, expiring["token"]) as client:
        assert client.get(url).status_code == 200
        deadline = time.monotonic() + 30
        while (answer := client.get(url)).status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert assert_problem(answer, 401)["reason"] == "token-expired"

    shown = gateway.get(f"/api/v1/tokens/{revoked['id']}").json()
    assert (shown["status"], shown["revoked_by"]) == ("revoked", "bootstrap-admin")
    assert gateway.get(f"/api/v1/tokens/{expiring['id']}").json()["status"] == "expired"
    assert [(e["status"], e["reason"]) for e in audit_of(gateway, token_id=revoked["id"])] == [
        (401, "token-revoked")
    ]
    by_admin = audit_of(gateway, token_id="bootstrap")
    changes = [(e["method"], e["status"], e["reason"], e["token_name"]) for e in by_admin
               if e["path"] == f"/api/v1/tokens/{revoked['id']}"]  # fmt: skip
    assert changes == [
        ("DELETE", 204, "token-revoked", "bootstrap-admin"),
        ("DELETE", 204, "token-revoked", "bootstrap-admin"),
        ("POST", 201, "token-issued", "bootstrap-admin"),
    ]
    assert (401, "token-expired") in {
        (e["status"], e["reason"]) for e in audit_of(gateway, token_id=expiring["id"])
    }


def test_an_unknown_token_is_401_and_audited_with_the_request_id(
    platform: Platform, gateway: httpx.Client
) -> None:
    request_id = str(uuid.uuid4())

    with holding(platform, "hw_not-a-token") as client:
        response = client.get("/api/v1/meetings", headers={"X-Request-ID": request_id})

    assert assert_problem(response, 401)["reason"] == "unknown-token"
    (entry,) = [entry for entry in audit_of(gateway, status=401) if entry["request_id"] == request_id]
    assert (entry["method"], entry["path"], entry["reason"], entry["token_id"]) == (
        "GET", "/api/v1/meetings", "unknown-token", None,
    )  # fmt: skip


def test_the_audit_is_newest_first_page_by_page(gateway: httpx.Client) -> None:
    for name in ("甲", "乙", "丙"):
        issue(gateway, name=name, scopes=["venue:read"])

    first = gateway.get("/api/v1/audit", params={"limit": 2}).json()
    second = gateway.get("/api/v1/audit", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    bad = gateway.get("/api/v1/audit", params={"cursor": "not-a-cursor"})

    times = [entry["created_at"] for entry in first["items"] + second["items"]]
    assert times == sorted(times, reverse=True)
    assert len({entry["id"] for entry in first["items"] + second["items"]}) == 4
    assert assert_problem(bad, 400)["type"] == "urn:huiwu:problem:invalid-cursor"


def test_a_service_reached_around_the_gateway_believes_only_a_valid_assertion(
    platform: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    caller = Principal("直连测试", frozenset({"registration:read"}), Clearance.none, token_id="direct")
    valid = sign(caller, platform.assertion_key)
    body, _, signature = valid.partition(".")
    assertions = {
        "missing": None,
        "forged": sign(caller, "a key of our own"),
        "expired": sign(caller, platform.assertion_key, now=time.time() - 120),
        "unsigned": body,
        "tampered": f"{sign(Principal('直连测试', frozenset({ADMIN})), 'x').partition('.')[0]}.{signature}",
        "valid": valid,
    }

    answers = {}
    with httpx.Client(base_url=platform.url("registration")) as direct:
        for name, assertion in assertions.items():
            headers = {ASSERTION_HEADER: assertion} if assertion else {}
            response = direct.get(f"/api/v1/meetings/{meeting_id}", headers=headers)
            answers[name] = (
                response.status_code
                if response.status_code == 200
                else assert_problem(response, 401)["reason"]
            )
        written = direct.post(
            "/api/v1/meetings", json={"name": "绕过网关", "starts_on": "2027-01-12", "ends_on": "2027-01-14"},
            headers={ASSERTION_HEADER: valid},
        )  # fmt: skip

    assert answers == {
        "missing": "missing-assertion", "forged": "bad-assertion", "expired": "assertion-expired",
        "unsigned": "bad-assertion", "tampered": "bad-assertion", "valid": 200,
    }  # fmt: skip
    assert assert_problem(written, 403)["required_scope"] == "registration:write"


def test_no_refusal_reaches_the_database_of_a_service(platform: Platform, gateway: httpx.Client) -> None:
    """A refused write is refused before the service runs it: no meeting is created."""
    reader = issue(gateway, scopes=["registration:read"])
    body = {"name": "不应出现的会议", "starts_on": "2027-01-12", "ends_on": "2027-01-14"}

    with holding(platform, reader["token"]) as client:
        assert (
            assert_problem(client.post("/api/v1/meetings", json=body), 403)["required_scope"]
            == "registration:write"
        )

    names = [item["name"] for item in gateway.get("/api/v1/meetings", params={"limit": 500}).json()["items"]]
    assert "不应出现的会议" not in names
