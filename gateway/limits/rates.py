"""A rate limit, as the settings, a token and the RateLimit headers name it."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int
    policy: str  # its name in the RateLimit headers: standard, kiosk or token (the token's own)

    @property
    def window_s(self) -> int:
        """How long an empty bucket takes to fill: the policy's window (``w``)."""
        return max(1, math.ceil(self.burst / self.per_second))
