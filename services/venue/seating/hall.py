"""会场座次: seating the hall by blocks (RULES.md §1.7).

People come in *sections* (members, then observers, then guests… R1.14), each section a list of
*blocks* (a delegation or group, in the meeting's delegation order), each block in protocol
order. Three layouts (R1.13–R1.14):

- ``horizontal`` (横排法): fill row after row, front to back, each row left to right as seen
  facing the podium;
- ``vertical`` (竖排法): each block takes a column (or a band of columns when the hall is too
  shallow), blocks left to right, each filled front to back;
- ``centre_out`` (左右排列法): rows front to back, each from the centre outwards, the seated
  person's own left first (R1.16).

A new section starts on a fresh row, so members are never seated behind observers. Seats taken
by pinned people (manual overrides) and unusable seats are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

Seat = tuple[int, int]  # (row, column): row 1 = front, column 1 = the far left facing the podium
Block = Sequence[str]
Section = Sequence[Block]


class HallLayout(StrEnum):
    horizontal = "horizontal"  # 横排
    vertical = "vertical"  # 竖排
    centre_out = "centre_out"  # 左右排列


@dataclass(frozen=True)
class Hall:
    rows: int
    seats_per_row: int
    unusable: frozenset[Seat] = frozenset()

    def usable(self, taken: Iterable[Seat] = ()) -> int:
        return self.rows * self.seats_per_row - len(self.unusable | set(taken))


class HallTooSmall(ValueError):
    def __init__(self, people: int, free: int) -> None:
        super().__init__(f"{people} people do not fit the {free} free seats of the hall")
        self.people, self.free = people, free


def seat_hall(
    sections: Sequence[Section], hall: Hall, layout: HallLayout, taken: Iterable[Seat] = ()
) -> dict[str, Seat]:
    """Person → seat for everyone in ``sections``; ``taken`` seats (pinned people) are skipped."""
    blocked = set(hall.unusable) | set(taken)
    people = sum(len(block) for section in sections for block in section)
    free = hall.rows * hall.seats_per_row - len(blocked)
    if people > free:
        raise HallTooSmall(people, free)
    seats: dict[str, Seat] = {}
    first_row = 1
    for section in sections:
        if not any(section):
            continue
        if layout == HallLayout.vertical:
            placed = _vertical(section, hall, blocked, first_row)
        else:
            order = _row_major if layout == HallLayout.horizontal else _centre_out
            placed = _in_order(
                [person for block in section for person in block], order(hall, blocked, first_row)
            )
        if placed is None:  # not enough rows left below the previous section: pack it tight
            return _without_section_breaks(sections, hall, layout, blocked)
        seats.update(placed)
        first_row = max(row for row, _ in placed.values()) + 1
    return seats


def _without_section_breaks(
    sections: Sequence[Section], hall: Hall, layout: HallLayout, blocked: set[Seat]
) -> dict[str, Seat]:
    """Every section run together (the hall is too full to start each on a fresh row)."""
    everyone = [person for section in sections for block in section for person in block]
    order = _centre_out if layout == HallLayout.centre_out else _row_major
    placed = _in_order(everyone, order(hall, blocked, 1))
    assert placed is not None  # seat_hall checked there are enough free seats
    return placed


def _in_order(people: list[str], seats: Iterable[Seat]) -> dict[str, Seat] | None:
    placed = dict(zip(people, seats, strict=False))
    return placed if len(placed) == len(people) else None


def _row_major(hall: Hall, blocked: set[Seat], first_row: int) -> Iterable[Seat]:
    for row in range(first_row, hall.rows + 1):
        for column in range(1, hall.seats_per_row + 1):
            if (row, column) not in blocked:
                yield row, column


def _centre_out(hall: Hall, blocked: set[Seat], first_row: int) -> Iterable[Seat]:
    width = hall.seats_per_row
    centre = (width + 1) // 2  # odd rows: the middle seat; even: the centre-left one
    order = [centre]
    for step in range(1, width):
        order.extend(column for column in (centre - step, centre + step) if 1 <= column <= width)
    for row in range(first_row, hall.rows + 1):
        for column in order:
            if (row, column) not in blocked:
                yield row, column


def _vertical(section: Section, hall: Hall, blocked: set[Seat], first_row: int) -> dict[str, Seat] | None:
    """One column per block, front to back, if the hall is deep and wide enough; else bands of
    columns at the shallowest depth where they fit side by side; else the blocks flow down the
    columns one after another (a block may then share a column with the next)."""
    rows_left = hall.rows - first_row + 1
    deepest = max(len(block) for block in section)
    depths = [deepest] if deepest <= rows_left and len(section) <= hall.seats_per_row else []
    for depth in [*depths, *range(1, rows_left + 1)]:
        placed = _bands(section, hall, blocked, range(first_row, first_row + depth))
        if placed is not None:
            return placed
    return _in_order(
        [person for block in section for person in block], _column_major(hall, blocked, first_row)
    )


def _column_major(hall: Hall, blocked: set[Seat], first_row: int) -> Iterable[Seat]:
    for column in range(1, hall.seats_per_row + 1):
        for row in range(first_row, hall.rows + 1):
            if (row, column) not in blocked:
                yield row, column


def _bands(section: Section, hall: Hall, blocked: set[Seat], rows: range) -> dict[str, Seat] | None:
    placed: dict[str, Seat] = {}
    column = 1
    for block in section:
        band: list[Seat] = []
        while len(band) < len(block):  # widen the band one column at a time until the block fits
            if column > hall.seats_per_row:
                return None
            band.extend((row, column) for row in rows if (row, column) not in blocked)
            column += 1
        band.sort()  # front to back, then left to right within the band
        placed.update(zip(block, band, strict=False))
    return placed
