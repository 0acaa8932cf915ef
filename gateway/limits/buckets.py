"""A token bucket per API token, in the gateway's memory.

Each token may make ``per_second`` requests a second, sustained, and up to ``burst`` at once after
a quiet spell: every request takes one from its bucket, which refills continuously. Kiosks have
their own, higher default (a door in a rush); a token may carry its own limit; the bootstrap token
(the operators', and the benchmarks') has none. Each gateway replica counts on its own, so with
two replicas a token may make up to twice its rate.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from gateway.limits.rates import Rate
from gateway.tokens.book import BOOTSTRAP
from huiwu.auth import Principal, TokenKind
from huiwu.settings import Settings

AUDIT_EVERY_S = 1.0  # a runaway client's refusals are audited once a second, not once each


@dataclass(frozen=True)
class Verdict:
    rate: Rate
    allowed: bool
    remaining: int  # whole requests left in the bucket
    full_in_s: int  # until the bucket is full again
    retry_after_s: int  # until the next request is allowed; 0 when this one was


class Limits:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self._standard = Rate(settings.rate_limit_per_s, settings.rate_limit_burst, "standard")
        self._kiosk = Rate(settings.kiosk_rate_limit_per_s, settings.kiosk_rate_limit_burst, "kiosk")
        self._clock = clock
        self._levels: dict[str, tuple[float, float]] = {}  # token id → (requests left, when)
        self._audited: dict[str, float] = {}

    def rate_of(self, principal: Principal, own: Rate | None) -> Rate | None:
        """None: not limited (the bootstrap token)."""
        if principal is BOOTSTRAP:
            return None
        if own is not None:
            return own
        return self._kiosk if principal.kind == TokenKind.kiosk else self._standard

    def take(self, principal: Principal, own: Rate | None) -> Verdict | None:
        """One request from the token's bucket, if there is one left."""
        rate = self.rate_of(principal, own)
        if rate is None:
            return None
        key = principal.token_id or principal.name
        now = self._clock()
        left, then = self._levels.get(key, (float(rate.burst), now))
        left = min(float(rate.burst), left + (now - then) * rate.per_second)
        allowed = left >= 1.0
        if allowed:
            left -= 1.0
        self._levels[key] = (left, now)
        return Verdict(
            rate=rate,
            allowed=allowed,
            remaining=math.floor(left),
            full_in_s=math.ceil((rate.burst - left) / rate.per_second),
            retry_after_s=0 if allowed else max(1, math.ceil((1.0 - left) / rate.per_second)),
        )

    def worth_auditing(self, principal: Principal) -> bool:
        """A refusal is audited unless the token's last one was within ``AUDIT_EVERY_S``: a client
        hammering the gateway must not turn its refusals into as many database writes."""
        key, now = principal.token_id or principal.name, self._clock()
        if now - self._audited.get(key, -math.inf) < AUDIT_EVERY_S:
            return False
        self._audited[key] = now
        return True
