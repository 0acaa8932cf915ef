"""主席台座次: who sits where on the podium (RULES.md §1.1–§1.6).

Leaders are given in rank order (1号 first; the office supplies the order, R1.12). Each podium
row is filled centre-out: 1号 in the centre, 2号 at 1号's *own* left (the audience's right),
3号 at 1号's right, and so on alternately outwards (R1.5). With an even number in a row the
two centre seats go to 1号 and 2号; variant L keeps 2号 at 1号's left, variant R mirrors it
(R1.6). Front rows outrank back rows; ranks run on from one row into the next (R1.9). The
presiding officer (主持人) always sits in the front row (R1.10).

Positions are signed offsets from the podium's axis in seat widths, ``+`` being the leaders'
left, i.e. the audience's right; the A-view (from the hall) lists seats by ascending offset,
the P-view (from the podium) is its reverse (§1.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class EvenVariant(StrEnum):
    L = "L"  # 2号 at 1号's left, as with an odd number (recommended default, R1.6)
    R = "R"  # 1号 at the centre-left seat in P-view, so 2号 at 1号's right


class CentreAxis(StrEnum):
    between = "between"  # an even row is centred between 1号 and 2号
    on_first = "on_first"  # 双数单摆 (R1.7): 1号 on the axis even when the row is even


class PresidingPlacement(StrEnum):
    rank = "rank"  # at their own rank (in the front row whatever that rank is)
    centre = "centre"  # front-row centre
    left_end = "left_end"  # the front row's end on the leaders' left (audience's right)
    right_end = "right_end"  # the front row's end on the leaders' right (audience's left)


def offset(rank: int, count: int, variant: EvenVariant = EvenVariant.L) -> Fraction:
    """Signed offset from the axis of the ``rank``-th (1-based) of ``count`` people in a row.

    >>> [str(offset(r, 4)) for r in (1, 2, 3, 4)]
    ['-1/2', '1/2', '-3/2', '3/2']
    """
    if not 1 <= rank <= count:
        raise ValueError(f"rank {rank} is not within a row of {count}")
    if count % 2:
        steps = rank // 2
        return Fraction(steps if rank % 2 == 0 else -steps)
    position = Fraction(rank - 1, 2) if rank % 2 == 0 else -Fraction(rank, 2)
    return position if variant == EvenVariant.L else -position


def audience_view(count: int, variant: EvenVariant = EvenVariant.L) -> list[int]:
    """Ranks as the hall sees the row, left to right (RULES §1.5, A-view)."""
    return sorted(range(1, count + 1), key=lambda rank: offset(rank, count, variant))


def podium_view(count: int, variant: EvenVariant = EvenVariant.L) -> list[int]:
    """Ranks as the leaders see the row, left to right (P-view = reverse of A-view)."""
    return audience_view(count, variant)[::-1]


@dataclass(frozen=True)
class PodiumSeat:
    person: str
    row: int  # 1 = front row
    column: int  # 1 = the audience's far left (A-view)
    offset: Fraction  # from the podium axis, + = the leaders' left (the audience's right)
    precedence: int  # 1 = 1号: the order the leaders were given in, presiding officer included


class PodiumTooSmall(ValueError):
    def __init__(self, people: int, capacity: int) -> None:
        super().__init__(f"{people} leaders do not fit a podium of {capacity} seats")
        self.people, self.capacity = people, capacity


@dataclass(frozen=True)
class PodiumRules:
    rows: int
    seats_per_row: int
    variant: EvenVariant = EvenVariant.L
    axis: CentreAxis = CentreAxis.between
    presiding: PresidingPlacement = PresidingPlacement.rank


def seat_podium(leaders: Sequence[str], rules: PodiumRules, presiding: str | None = None) -> list[PodiumSeat]:
    """Seats for ``leaders`` (in rank order), front row first. Every seat taken is occupied:
    rows are as long as the people in them, centred on the axis (no empty podium seat, R1.4)."""
    people = list(dict.fromkeys(leaders))  # one seat each, at their first (highest) rank
    if presiding is not None and presiding not in people:
        people.append(presiding)
    capacity = rules.rows * rules.seats_per_row
    if len(people) > capacity:
        raise PodiumTooSmall(len(people), capacity)
    rows = _rows(people, rules, presiding)
    precedence = {person: number for number, person in enumerate(_in_precedence(rows), start=1)}
    seats: list[PodiumSeat] = []
    for row_number, row in enumerate(rows, start=1):
        seats.extend(_seat_row(row_number, row, rules, presiding, precedence))
    return seats


def _rows(people: list[str], rules: PodiumRules, presiding: str | None) -> list[list[str]]:
    """People per row in rank order; the presiding officer is moved into the front row if their
    rank would put them further back (R1.10)."""
    width = rules.seats_per_row
    others = [person for person in people if person != presiding]
    already_in_front = presiding is None or people.index(presiding) < width
    if presiding is None or (already_in_front and rules.presiding == PresidingPlacement.rank):
        ordered = people
    else:
        front = others[: width - 1]
        at = {PresidingPlacement.rank: len(front), PresidingPlacement.centre: 0}.get(
            rules.presiding, len(front)
        )
        ordered = [*front[:at], presiding, *front[at:], *others[width - 1 :]]
    return [ordered[start : start + width] for start in range(0, len(ordered), width)]


def _in_precedence(rows: list[list[str]]) -> list[str]:
    return [person for row in rows for person in row]


def _seat_row(
    row_number: int, row: list[str], rules: PodiumRules, presiding: str | None, precedence: dict[str, int]
) -> list[PodiumSeat]:
    at_end = row_number == 1 and presiding in row and rules.presiding in _ENDS
    centred = [person for person in row if not (at_end and person == presiding)]
    offsets = {
        person: offset(rank, len(centred), rules.variant) for rank, person in enumerate(centred, start=1)
    }
    if len(centred) % 2 == 0 and centred and rules.axis == CentreAxis.on_first:
        shift = offsets[centred[0]]  # 1号 onto the axis; the row is no longer symmetric (R1.7)
        offsets = {person: value - shift for person, value in offsets.items()}
    if at_end and presiding is not None:
        side = 1 if rules.presiding == PresidingPlacement.left_end else -1
        furthest = max((value * side for value in offsets.values()), default=None)
        offsets[presiding] = Fraction(0) if furthest is None else side * (furthest + 1)
    in_view = sorted(offsets, key=lambda person: offsets[person])
    return [
        PodiumSeat(person, row_number, column, offsets[person], precedence[person])
        for column, person in enumerate(in_view, start=1)
    ]


_ENDS = (PresidingPlacement.left_end, PresidingPlacement.right_end)
