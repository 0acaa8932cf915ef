"""Whole percentages that add up to 100 (the largest remainder, or Hamilton, method): leaders read
"占比27%" and "占比73%", never 27% and 72%."""

from __future__ import annotations

from collections.abc import Sequence

WHOLE = 100


def percentages(counts: Sequence[int]) -> list[int]:
    """Each count's share of their sum, rounded down, then one more for each of the counts with
    the largest remainders (the earlier among equal ones) until they add up to 100; all 0 when
    the sum is 0. Exact integers: no floating point decides a tie."""
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    shares = [count * WHOLE // total for count in counts]
    remainders = [count * WHOLE % total for count in counts]
    short = WHOLE - sum(shares)  # fewer than the counts with a remainder: a zero count never gains
    for index in sorted(range(len(counts)), key=lambda index: -remainders[index])[:short]:
        shares[index] += 1
    return shares
