"""Protocol seating rules (RULES.md §1) on the pure functions: the §1.5 table in both variants
and both viewpoints, several podium rows, the presiding officer, and the hall layouts."""

from __future__ import annotations

from fractions import Fraction

import pytest

from services.venue.seating.hall import Hall, HallLayout, HallTooSmall, seat_hall
from services.venue.seating.podium import (
    CentreAxis,
    EvenVariant,
    PodiumRules,
    PodiumTooSmall,
    PresidingPlacement,
    audience_view,
    podium_view,
    seat_podium,
)

# RULES.md §1.5, row by row: n, variant L A-view, variant L P-view, variant R A-view.
TABLE_1_5 = [
    (1, "1", "1", "1"),
    (2, "1 2", "2 1", "2 1"),
    (3, "3 1 2", "2 1 3", "3 1 2"),
    (4, "3 1 2 4", "4 2 1 3", "4 2 1 3"),
    (5, "5 3 1 2 4", "4 2 1 3 5", "5 3 1 2 4"),
    (6, "5 3 1 2 4 6", "6 4 2 1 3 5", "6 4 2 1 3 5"),
    (7, "7 5 3 1 2 4 6", "6 4 2 1 3 5 7", "7 5 3 1 2 4 6"),
    (8, "7 5 3 1 2 4 6 8", "8 6 4 2 1 3 5 7", "8 6 4 2 1 3 5 7"),
]


def ranks(text: str) -> list[int]:
    return [int(rank) for rank in text.split()]


@pytest.mark.parametrize(("count", "l_audience", "l_podium", "r_audience"), TABLE_1_5)
def test_the_rules_table_in_both_variants_and_both_views(
    count: int, l_audience: str, l_podium: str, r_audience: str
) -> None:
    assert audience_view(count, EvenVariant.L) == ranks(l_audience)
    assert podium_view(count, EvenVariant.L) == ranks(l_podium)
    assert audience_view(count, EvenVariant.R) == ranks(r_audience)
    assert podium_view(count, EvenVariant.R) == ranks(r_audience)[::-1]


def test_nine_leaders_as_drawn_above_the_hall() -> None:
    assert audience_view(9) == [9, 7, 5, 3, 1, 2, 4, 6, 8]  # [S3]


def seated(leaders: list[str], rules: PodiumRules, presiding: str | None = None) -> dict[int, list[str]]:
    """Row → names as the hall sees them, left to right."""
    rows: dict[int, list[str]] = {}
    for seat in sorted(seat_podium(leaders, rules, presiding), key=lambda seat: (seat.row, seat.column)):
        rows.setdefault(seat.row, []).append(seat.person)
    return rows


LEADERS = [f"L{rank}" for rank in range(1, 13)]


def test_ranks_run_on_from_the_front_row_into_the_next_each_row_centre_out() -> None:
    rows = seated(LEADERS[:12], PodiumRules(rows=3, seats_per_row=5))

    assert rows[1] == ["L5", "L3", "L1", "L2", "L4"]
    assert rows[2] == ["L10", "L8", "L6", "L7", "L9"]  # ranks 6..10, centred the same way
    assert rows[3] == ["L11", "L12"]  # 2 in the row: 11号 and 12号 take the centre, 12 at 11's left


def test_every_row_is_centred_on_the_axis_and_nobody_shares_a_seat() -> None:
    seats = seat_podium(LEADERS[:7], PodiumRules(rows=2, seats_per_row=4))

    by_row: dict[int, list[Fraction]] = {}
    for seat in seats:
        by_row.setdefault(seat.row, []).append(seat.offset)
    assert all(sum(offsets) == 0 for offsets in by_row.values())
    assert len({(seat.row, seat.column) for seat in seats}) == len(seats) == 7


def test_a_podium_too_small_is_refused_not_overfilled() -> None:
    with pytest.raises(PodiumTooSmall):
        seat_podium(LEADERS[:7], PodiumRules(rows=1, seats_per_row=6))


def test_double_single_axis_puts_1_on_the_centre_line() -> None:
    seats = seat_podium(LEADERS[:4], PodiumRules(rows=1, seats_per_row=6, axis=CentreAxis.on_first))

    offsets = {seat.person: seat.offset for seat in seats}
    assert offsets == {"L1": 0, "L2": 1, "L3": -1, "L4": 2}  # R1.7: lowest rank at the audience's far right


@pytest.mark.parametrize(
    ("placement", "front"),
    [
        (PresidingPlacement.rank, ["L3", "L1", "L2", "P"]),  # own rank: after the three above them
        (PresidingPlacement.centre, ["L2", "P", "L1", "L3"]),
        (PresidingPlacement.left_end, ["L3", "L1", "L2", "P"]),  # the leaders' left = the hall's right
        (PresidingPlacement.right_end, ["P", "L3", "L1", "L2"]),
    ],
)
def test_the_presiding_officer_sits_in_the_front_row_where_the_meeting_says(
    placement: PresidingPlacement, front: list[str]
) -> None:
    rules = PodiumRules(rows=2, seats_per_row=4, presiding=placement)

    rows = seated([*LEADERS[:3], "P", *LEADERS[3:6]], rules, presiding="P")

    assert rows[1] == front


def test_a_presiding_officer_ranked_too_low_for_the_front_row_is_brought_forward() -> None:
    rows = seated(LEADERS[:6], PodiumRules(rows=2, seats_per_row=3), presiding="L6")

    assert "L6" in rows[1]  # never in a back row (R1.10)
    assert rows[2] == ["L5", "L3", "L4"]


def hall(rows: int, width: int, *unusable: tuple[int, int]) -> Hall:
    return Hall(rows, width, frozenset(unusable))


def test_horizontal_fills_row_after_row_and_skips_unusable_seats() -> None:
    seats = seat_hall([[["a", "b", "c"], ["d", "e"]]], hall(3, 3, (1, 2)), HallLayout.horizontal)

    assert seats == {"a": (1, 1), "b": (1, 3), "c": (2, 1), "d": (2, 2), "e": (2, 3)}


def test_observers_start_on_a_fresh_row_behind_the_members() -> None:
    members, observers = [["m1", "m2"]], [["o1"]]

    seats = seat_hall([members, observers], hall(3, 4), HallLayout.horizontal)

    assert seats["o1"] == (2, 1)


def test_vertical_gives_each_delegation_a_band_of_columns_front_to_back() -> None:
    seats = seat_hall([[["a1", "a2", "a3"], ["b1", "b2"]]], hall(4, 4), HallLayout.vertical)

    assert seats == {"a1": (1, 1), "a2": (2, 1), "a3": (3, 1), "b1": (1, 2), "b2": (2, 2)}


def test_vertical_widens_a_band_when_the_hall_is_shallow() -> None:
    seats = seat_hall([[["a1", "a2", "a3", "a4"], ["b1"]]], hall(2, 4), HallLayout.vertical)

    assert {seats[person][1] for person in ("a1", "a2", "a3", "a4")} == {1, 2}
    assert seats["b1"] == (1, 3)


def test_centre_out_starts_in_the_middle_then_left_then_right() -> None:
    seats = seat_hall([[["p1", "p2", "p3", "p4"]]], hall(2, 5), HallLayout.centre_out)

    assert seats == {"p1": (1, 3), "p2": (1, 2), "p3": (1, 4), "p4": (1, 1)}


def test_a_full_hall_packs_sections_together_rather_than_leave_people_out() -> None:
    seats = seat_hall([[["m1", "m2", "m3"]], [["o1", "o2", "o3"]]], hall(2, 3), HallLayout.horizontal)
    assert len(set(seats.values())) == 6

    crowded = seat_hall([[["m1", "m2", "m3", "m4"]], [["o1", "o2"]]], hall(2, 3), HallLayout.horizontal)
    assert len(set(crowded.values())) == 6


def test_more_people_than_free_seats_is_refused() -> None:
    with pytest.raises(HallTooSmall):
        seat_hall([[["a", "b", "c"]]], hall(1, 3, (1, 1)), HallLayout.horizontal)
