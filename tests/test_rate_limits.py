"""Rate limits per token at the gateway: a bucket per token refilled at its rate; over it, 429 with
Retry-After and the RateLimit fields, audited; it recovers once the bucket refills. Kiosks have a
door's limit, a token may carry its own, the bootstrap token has none."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from gateway.limits.buckets import AUDIT_EVERY_S, Limits
from gateway.limits.rates import Rate
from gateway.tokens.book import BOOTSTRAP
from huiwu.auth import Principal, TokenKind
from huiwu.runner import Platform
from huiwu.settings import Settings
from tests.test_gateway_tokens import audit_of, holding, issue
from tests.test_slice_end_to_end import create_meeting

PROBLEM_JSON = "application/problem+json"
CLERK = Principal("会务组", frozenset({"registration:read"}), token_id="clerk")
KIOSK = Principal("北门签到机", frozenset({"registration:read"}), token_id="kiosk", kind=TokenKind.kiosk)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limits(clock: Clock, **settings: Any) -> Limits:
    return Limits(Settings.model_validate(settings), clock)


def test_a_bucket_empties_at_its_burst_and_refills_at_its_rate() -> None:
    clock = Clock()
    buckets = limits(clock, rate_limit_per_s=2, rate_limit_burst=3)

    burst = [buckets.take(CLERK, None) for _ in range(4)]
    clock.now += 0.5  # one more request's worth
    refilled = [buckets.take(CLERK, None) for _ in range(2)]
    clock.now += 60
    rested = buckets.take(CLERK, None)

    assert [(v.allowed, v.remaining) for v in burst if v] == [(True, 2), (True, 1), (True, 0), (False, 0)]
    assert burst[3] is not None and burst[3].retry_after_s == 1 and burst[3].full_in_s == 2
    assert [v.allowed for v in refilled if v] == [True, False]
    assert rested is not None and (rested.allowed, rested.remaining) == (True, 2)
    assert rested.rate == Rate(2, 3, "standard") and rested.rate.window_s == 2


def test_kiosks_have_a_door_s_limit_a_token_its_own_and_the_bootstrap_token_none() -> None:
    buckets = limits(Clock())
    own = Rate(0.5, 3, "token")

    assert buckets.rate_of(CLERK, None) == Rate(20, 100, "standard")
    assert buckets.rate_of(KIOSK, None) == Rate(100, 300, "kiosk")
    assert buckets.rate_of(KIOSK, own) == own
    assert buckets.rate_of(BOOTSTRAP, None) is None and buckets.take(BOOTSTRAP, None) is None


def test_refusals_are_audited_at_most_once_a_second_per_token() -> None:
    clock = Clock()
    buckets = limits(clock)

    first = [buckets.worth_auditing(CLERK), buckets.worth_auditing(CLERK), buckets.worth_auditing(KIOSK)]
    clock.now += AUDIT_EVERY_S
    later = buckets.worth_auditing(CLERK)

    assert first == [True, False, True] and later is True


def test_a_token_over_its_limit_is_429_audited_and_recovers(
    platform: Platform, gateway: httpx.Client
) -> None:
    url = f"/api/v1/meetings/{create_meeting(gateway)}"
    token = issue(gateway, scopes=["registration:read"], rate_limit={"per_second": 0.5, "burst": 3})

    with holding(platform, token["token"]) as client:
        assert client.get(url).status_code == 200  # the gateway meets the token: not counted yet
        allowed = [client.get(url) for _ in range(3)]
        refused = client.get(url)
        time.sleep(int(refused.headers["retry-after"]))
        recovered = client.get(url)

    assert token["rate_limit"] == {"per_second": 0.5, "burst": 3}
    assert [response.status_code for response in allowed] == [200, 200, 200]
    left = [re.fullmatch(r'"token";r=(\d+);t=(\d+)', response.headers["ratelimit"]) for response in allowed]
    assert [int(found[1]) for found in left if found] == [2, 1, 0]
    assert [int(found[2]) for found in left if found] == [2, 4, 6]  # seconds until full: 2 a request
    assert {response.headers["ratelimit-policy"] for response in allowed} == {'"token";q=3;w=6'}
    assert refused.status_code == 429 and refused.headers["content-type"] == PROBLEM_JSON
    problem = refused.json()
    assert (problem["type"], problem["reason"], problem["policy"]) == (
        "urn:huiwu:problem:rate-limited", "rate-limited", "token",
    )  # fmt: skip
    assert int(refused.headers["retry-after"]) == problem["retry_after_s"] >= 1
    assert refused.headers["ratelimit"].startswith('"token";r=0;')
    assert refused.headers["x-correlation-id"]
    assert recovered.status_code == 200
    assert [(e["status"], e["reason"], e["path"]) for e in audit_of(gateway, token_id=token["id"])] == [
        (429, "rate-limited", url)
    ]


def test_each_kind_of_token_is_told_its_policy_and_the_bootstrap_token_is_never_limited(
    platform: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    url = f"/api/v1/meetings/{meeting_id}/attendees"
    policies = {}
    for kind in ("standard", "kiosk"):
        token = issue(gateway, kind=kind, scopes=[] if kind == "kiosk" else ["registration:read"])
        with holding(platform, token["token"]) as client:
            client.get(url)
            policies[kind] = client.get(url).headers["ratelimit-policy"]

    rush = [gateway.get(url) for _ in range(120)]  # more than any default burst

    assert policies == {"standard": '"standard";q=100;w=5', "kiosk": '"kiosk";q=300;w=3'}
    assert {response.status_code for response in rush} == {200}
    assert not any("ratelimit" in response.headers for response in rush)


@pytest.mark.parametrize(
    ("rate_limit", "field", "rule"),
    [
        ({"per_second": 0, "burst": 3}, "rate_limit.per_second", "greater_than"),
        ({"per_second": 1, "burst": 0}, "rate_limit.burst", "greater_than_equal"),
        ({"per_second": 1}, "rate_limit.burst", "missing"),
    ],
)
def test_a_bad_rate_limit_is_refused_naming_the_field(
    gateway: httpx.Client, rate_limit: dict[str, Any], field: str, rule: str
) -> None:
    response = gateway.post(
        "/api/v1/tokens", json={"name": "限流", "scopes": ["venue:read"], "rate_limit": rate_limit}
    )

    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON
    assert [(error["field"], error["rule"]) for error in response.json()["errors"]] == [(field, rule)]
