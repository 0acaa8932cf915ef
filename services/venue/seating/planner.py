"""Computes a session's seating plan from who is expected, the room and the meeting's protocol
settings: the podium by rank (podium.py), then the hall by blocks (hall.py), pinned people first.

Pure: it reads plain rows and returns placements; storing them and telling the others is
service.py's job. Whatever the plan cannot honour is reported in words, never silently dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from huiwu.chinese import NameOrderMode, pinyin_key, stroke_key
from huiwu.events.catalog import AttendeeCategory, SeatArea
from services.venue.attendees.models import SeatedPerson
from services.venue.protocol.models import DelegationOrder, HallBlocks, ProtocolSettings
from services.venue.seating.hall import Hall, Seat, seat_hall
from services.venue.seating.podium import PodiumRules, PodiumTooSmall, seat_podium
from services.venue.venues.models import Room

CATEGORY_ORDER = {category: position for position, category in enumerate(AttendeeCategory)}


@dataclass(frozen=True)
class Placement:
    attendee_id: str
    area: SeatArea
    row: int
    column: int
    precedence: int | None = None  # podium: 1 = 1号
    offset: Fraction | None = None  # podium: from the axis, + = the leaders' left
    pinned: bool = False


@dataclass
class Plan:
    placements: list[Placement] = field(default_factory=list)
    podium_rows: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Brief:
    """What a plan is made from, besides the room and the settings."""

    people: Sequence[SeatedPerson]  # everyone expected and not on leave
    name_order: NameOrderMode
    presiding: str | None = None
    podium_ids: Sequence[str] | None = None  # an explicit podium, in rank order
    pins: Mapping[str, Seat] = field(default_factory=dict)  # attendee → hall seat
    group_positions: Mapping[str, int] = field(default_factory=dict)


def protocol_key(person: SeatedPerson, mode: NameOrderMode) -> tuple[Any, ...]:
    """Category, rank, then strokes; a substitute sorts exactly as the person they replace."""
    name = person.order_name or person.name
    return (
        CATEGORY_ORDER[person.category],
        person.rank is None,
        person.rank or 0,
        stroke_key(name, mode),
        person.place_of or person.id,
    )


def plan_session(brief: Brief, room: Room, settings: ProtocolSettings) -> Plan:
    plan = Plan()
    people = sorted(brief.people, key=lambda person: protocol_key(person, brief.name_order))
    by_id = {person.id: person for person in people}
    on_podium = _podium(plan, brief, by_id, people, room, settings)
    rest = [person for person in people if person.id not in on_podium]
    _hall(plan, brief, rest, room, settings)
    return plan


def _podium(
    plan: Plan,
    brief: Brief,
    by_id: Mapping[str, SeatedPerson],
    people: Sequence[SeatedPerson],
    room: Room,
    settings: ProtocolSettings,
) -> set[str]:
    spec = room.podium_spec()
    presiding = brief.presiding if brief.presiding in by_id else None
    if brief.presiding is not None and presiding is None:
        plan.problems.append("主持人不在应到人员中（已请假或已不参会）")
    if spec is None:
        return set()
    if brief.podium_ids is not None:
        leaders = [person for person in brief.podium_ids if person in by_id]
    else:
        leaders = [person.id for person in people if person.rank is not None]
    rules = PodiumRules(
        spec.rows,
        spec.seats_per_row,
        settings.even_variant,
        settings.centre_axis,
        settings.presiding_placement,
    )
    try:
        seats = seat_podium(leaders, rules, presiding)
    except PodiumTooSmall as too_many:
        plan.problems.append(
            f"主席台只有{too_many.capacity}个座位，{too_many.people}位领导中排名靠后的在会场前排就座"
        )
        kept = [person for person in leaders if person != presiding][
            : too_many.capacity - (presiding is not None)
        ]
        seats = seat_podium(kept, rules, presiding)
    for seat in seats:
        plan.placements.append(
            Placement(seat.person, SeatArea.podium, seat.row, seat.column, seat.precedence, seat.offset)
        )
    plan.podium_rows = [sum(1 for seat in seats if seat.row == row) for row in range(1, spec.rows + 1)]
    plan.podium_rows = [count for count in plan.podium_rows if count]
    return {seat.person for seat in seats}


def _hall(
    plan: Plan, brief: Brief, people: Sequence[SeatedPerson], room: Room, settings: ProtocolSettings
) -> None:
    seat_map = room.hall()
    if seat_map is None:
        if people:
            plan.problems.append("会场没有座位图：会场自由就座")
        return
    hall = Hall(
        seat_map.rows, seat_map.seats_per_row, frozenset((s.row, s.column) for s in seat_map.unusable)
    )
    pinned = _pinned(plan, brief, people, hall)
    unpinned = [person for person in people if person.id not in pinned]
    free = hall.usable(pinned.values())
    if len(unpinned) > free:
        plan.problems.append(f"会场座位不足：{len(unpinned) - free}人没有座位")
        unpinned = unpinned[:free]
    sections = _sections(unpinned, brief, settings)
    seats = seat_hall(sections, hall, settings.hall_layout, pinned.values())
    for person, (row, column) in seats.items():
        plan.placements.append(Placement(person, SeatArea.hall, row, column))
    for person, (row, column) in pinned.items():
        plan.placements.append(Placement(person, SeatArea.hall, row, column, pinned=True))


def _pinned(plan: Plan, brief: Brief, people: Sequence[SeatedPerson], hall: Hall) -> dict[str, Seat]:
    """The pins that can be honoured: on a usable seat of this hall, one person per seat."""
    present = {person.id for person in people}
    kept: dict[str, Seat] = {}
    for person, seat in brief.pins.items():
        if person not in present:
            continue
        row, column = seat
        inside = 1 <= row <= hall.rows and 1 <= column <= hall.seats_per_row
        if not inside or seat in hall.unusable or seat in kept.values():
            plan.problems.append(f"{row}排{column}座无法指定（不在本会场或不可用），该人员按规则排座")
            continue
        kept[person] = seat
    return kept


def _sections(
    people: Sequence[SeatedPerson], brief: Brief, settings: ProtocolSettings
) -> list[list[list[str]]]:
    """People by category (出席 before 列席 …), each category in blocks (delegations or groups)
    in the meeting's order; ``people`` is already in protocol order, which each block keeps."""
    sections: dict[int, dict[Any, list[str]]] = defaultdict(lambda: defaultdict(list))
    keys: dict[tuple[str | None, str | None], tuple[Any, ...]] = {}  # one key per block, not per person
    for person in people:
        block = (person.delegation, person.group_id)
        if block not in keys:
            keys[block] = _block_key(person, brief, settings)
        sections[CATEGORY_ORDER[person.category]][keys[block]].append(person.id)
    return [[blocks[key] for key in sorted(blocks)] for _, blocks in sorted(sections.items())]


def _block_key(person: SeatedPerson, brief: Brief, settings: ProtocolSettings) -> tuple[Any, ...]:
    """Where a person's block comes in the hall; people with no block come last."""
    if settings.hall_blocks == HallBlocks.group:
        position = brief.group_positions.get(person.group_id or "")
        return (position is None, position or 0, person.group_id or "")
    name = person.delegation
    if name is None:
        return (2, ())
    if settings.delegation_order == DelegationOrder.listed:
        if name in settings.delegations:
            return (0, settings.delegations.index(name))
        return (1, stroke_key(name, NameOrderMode.full_name), name)
    if settings.delegation_order == DelegationOrder.pinyin:
        return (0, pinyin_key(name), name)
    return (0, stroke_key(name, NameOrderMode.full_name), name)
