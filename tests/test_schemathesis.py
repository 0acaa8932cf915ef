"""Schemathesis against the gateway's merged OpenAPI document (issue 7): every public operation,
fuzzed with valid and invalid input on a real platform, never answers 5xx, and always answers
with a status, content type and body its document declares; a state machine follows the
document's links from each create to what the new id opens.

One platform on SQLite: fuzzing looks for answers outside the contract, which do not depend on
the database (the departments' own tests run on both). Path parameters named ``meeting_id`` and
``attendee_id`` are a seeded meeting and attendee, so the fuzzed requests reach real resources
rather than stopping at 404. Seeds are fixed: a failure in CI is the same failure on a laptop.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from schemathesis import Case, GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.schemas import OpenApiSchema

from huiwu.runner import GATEWAY, Platform, free_port
from huiwu.settings import SERVICES
from huiwu.testing.databases import Databases

SEED = 20270112
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
# Bounded so the whole file stays within a few minutes on two cores: ~150 operations.
FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
Operation = APIOperation[Any, Any, Any, Any]
STATEFUL = settings(
    max_examples=30,
    stateful_step_count=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def fuzzed_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A platform of its own: the fuzzer's meetings, tokens and webhooks stay out of other tests."""
    directory: Path = tmp_path_factory.mktemp("platform-fuzzed")
    databases = Databases("sqlite", directory)
    env = {f"HUIWU_{name.upper()}_DATABASE_URL": databases.url(name) for name in (*SERVICES, GATEWAY)}
    running = Platform(data_dir=directory, gateway_port=free_port(), token=secrets.token_urlsafe(16), env=env)
    try:
        running.start_nats()
        running.start_all()
        running.wait_ready()
        yield running
    finally:
        running.stop_all()
        databases.drop_all()


MEETING = {"name": "江南省第十四届人民代表大会第三次会议", "starts_on": "2027-01-12", "ends_on": "2027-01-16"}


def office(platform: Platform) -> httpx.Client:
    headers = {"Authorization": f"Bearer {platform.token}"}
    return httpx.Client(base_url=platform.url("gateway"), headers=headers, timeout=30)


def seeded(platform: Platform) -> dict[str, str]:
    """A meeting with one attendee, made as an office would: the ids the fuzzer's paths use."""
    with office(platform) as gateway:
        meeting = gateway.post("/api/v1/meetings", json=MEETING)
        meeting.raise_for_status()
        meeting_id = meeting.json()["id"]
        attendee = gateway.post(
            f"/api/v1/meetings/{meeting_id}/attendees",
            json={"name": "王建国", "organization": "江南省人民政府", "title": "省长", "rank": 1},
        )
        attendee.raise_for_status()
    return {"path.meeting_id": meeting_id, "path.attendee_id": attendee.json()["id"]}


def configuration(platform: Platform) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {platform.token}"},
            "parameters": seeded(platform),
            "request-timeout": 30,
            # The live event stream never ends: its first event (or the timeout) is the answer.
            "max-stream-events": 1,
            "checks": {"enabled": False, **{check: {"enabled": True} for check in CHECKS}},
            "generation": {"mode": "all"},
            # Only the document's own links: the state machine is there to test those.
            "phases": {"stateful": {"inference": {"algorithms": []}}},
        }
    )


@pytest.fixture(scope="module")
def api(fuzzed_platform: Platform) -> OpenApiSchema:
    return schemathesis.openapi.from_url(
        f"{fuzzed_platform.url('gateway')}/openapi.json", config=configuration(fuzzed_platform)
    )


def test_every_operation_keeps_its_contract(api: OpenApiSchema) -> None:
    """Every operation in turn, valid and invalid input; the failures of all are reported together."""
    results = list(api.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    failures: dict[str, list[str]] = {}
    for operation in operations:
        try:
            fuzz(operation, api.config.parameters)
        # A check's FailureGroup, or Hypothesis' group of several; a request that got no answer.
        except (BaseExceptionGroup, requests.RequestException) as failure:
            failures[operation.label] = described(failure)
    assert len(operations) == len(results) > 140  # every operation's definition could be read
    assert failures == {}


def fuzz(operation: Operation, seeds: dict[str, Any]) -> None:
    names = [parameter.name for parameter in operation.path_parameters]
    fixed = {name: seeds[f"path.{name}"] for name in names if f"path.{name}" in seeds}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed),
    )

    @FUZZ
    @given(cases)
    def each(case: Case[Operation]) -> None:
        case.call_and_validate()

    each()


def described(failure: BaseException) -> list[str]:
    if isinstance(failure, BaseExceptionGroup):
        return [line for inner in failure.exceptions for line in described(inner)]
    return [f"{type(failure).__name__}: {failure}"]


def test_created_resources_can_be_followed_through_their_links(api: OpenApiSchema) -> None:
    document: dict[str, Any] = api.raw_schema
    linked = {
        path
        for path, item in document["paths"].items()
        if any("links" in response for response in item.get("post", {}).get("responses", {}).values())
    }
    followed: list[tuple[str, int]] = []

    class Following(api.as_state_machine()):  # type: ignore[misc]
        """Records each step taken through a link: which link, and what it answered."""

        def step(self, input: StepInput) -> StepOutput:
            output: StepOutput = super().step(input)
            if input.transition is not None and input.is_applied:
                followed.append((input.transition.id, output.response.status_code))
            return output

    Following.run(settings=STATEFUL)

    assert {"/api/v1/meetings", "/api/v1/meetings/{meeting_id}/attendees"} <= linked
    assert any(status < 300 for _, status in followed)  # a resource just created was read or changed


# What the fuzzer found first, kept as plain examples.


def test_a_group_name_sent_as_null_is_refused_naming_the_field(fuzzed_platform: Platform) -> None:
    with office(fuzzed_platform) as gateway:
        meeting_id = gateway.post("/api/v1/meetings", json=MEETING).json()["id"]
        group = gateway.post(f"/api/v1/meetings/{meeting_id}/groups", json={"name": "第一组"}).json()
        refused = gateway.patch(f"/api/v1/meetings/{meeting_id}/groups/{group['id']}", json={"name": None})
        cleared = gateway.patch(f"/api/v1/meetings/{meeting_id}/groups/{group['id']}", json={"room": None})

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [("name", "not_null")]
    assert cleared.status_code == 200
    assert cleared.json()["name"] == "第一组"


def test_a_control_character_in_a_name_does_not_break_the_roster_spreadsheet(
    fuzzed_platform: Platform,
) -> None:
    with office(fuzzed_platform) as gateway:
        meeting_id = gateway.post("/api/v1/meetings", json=MEETING).json()["id"]
        gateway.post(
            f"/api/v1/meetings/{meeting_id}/attendees",
            json={"name": "李\x0b明", "organization": "江南省审计厅", "title": "厅长"},
        ).raise_for_status()
        export = gateway.get(f"/api/v1/meetings/{meeting_id}/attendees/export.xlsx")

    rows = load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True)
    assert export.status_code == 200
    assert any("李明" in row for row in rows)  # the character XML cannot hold is left out
