"""Discussion groups (编组, RULES R6.5): grouped by region or department; the leaders of the
meeting do not form a group of their own but are spread over the groups; each group has a
convenor and a room. Every change is an event; moving a person is an ``attendee.updated``."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlmodel import Session, col

from huiwu.chinese import stroke_key
from huiwu.errors import Conflict, InvalidInput, NotFound
from huiwu.events.catalog import AttendeeCategory, AttendeeStatus, AttendeeUpdated, GroupFormed, GroupUpdated
from services.registration.attendees import service as attendees
from services.registration.attendees.models import Attendee
from services.registration.events import emit
from services.registration.groups.models import DiscussionGroup, GroupCreate, GroupPublic, GroupUpdate
from services.registration.meetings import service as meetings
from services.registration.notices import service as notices

GROUPED = (AttendeeCategory.member, AttendeeCategory.observer)
NUMERALS = "零一二三四五六七八九"


class GroupNameTaken(Conflict):
    code = "group-name-taken"
    title = "A group of that name exists"


def group_name(position: int) -> str:
    """第一组 … 第十组 … 第二十三组."""
    tens, ones = divmod(position, 10)
    number = (
        NUMERALS[ones]
        if tens == 0
        else f"{'' if tens == 1 else NUMERALS[tens]}十{NUMERALS[ones] if ones else ''}"
    )
    return f"第{number}组"


def get_or_raise(*, session: Session, meeting_id: str, group_id: str) -> DiscussionGroup:
    group = session.get(DiscussionGroup, group_id)
    if group is None or group.meeting_id != meeting_id:
        raise NotFound(f"group {group_id} is not one of meeting {meeting_id}'s groups", field="group_id")
    return group


def form(*, session: Session, meeting_id: str, group_in: GroupCreate) -> DiscussionGroup:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    _refuse_taken_name(session, meeting_id, group_in.name)
    position = (
        session.scalar(
            select(func.max(DiscussionGroup.position)).where(col(DiscussionGroup.meeting_id) == meeting_id)
        )
        or 0
    ) + 1
    group = DiscussionGroup(meeting_id=meeting_id, name=group_in.name, room=group_in.room, position=position)
    session.add(group)
    session.flush()
    if group_in.convenor_id is not None:
        group.convenor_id = _convenor(session, group, group_in.convenor_id).id
    emit(session, GroupFormed(meeting_id=meeting_id, group_id=group.id, **_state(group)), subject=group.id)
    return group


def update(*, session: Session, meeting_id: str, group_id: str, changes: GroupUpdate) -> DiscussionGroup:
    group = get_or_raise(session=session, meeting_id=meeting_id, group_id=group_id)
    sent = changes.model_dump(exclude_unset=True)
    changed = sorted(name for name, value in sent.items() if getattr(group, name) != value)
    if not changed:
        return group
    if "name" in changed:
        _refuse_taken_name(session, meeting_id, sent["name"])
    if "convenor_id" in changed and sent["convenor_id"] is not None:
        _convenor(session, group, sent["convenor_id"])
    for name in changed:
        setattr(group, name, sent[name])
    group.version += 1
    emit(
        session,
        GroupUpdated(meeting_id=meeting_id, group_id=group.id, changed=changed, **_state(group)),
        subject=group.id,
    )
    return group


def assign(
    *, session: Session, meeting_id: str, group_id: str, attendee_ids: Iterable[str]
) -> DiscussionGroup:
    group = get_or_raise(session=session, meeting_id=meeting_id, group_id=group_id)
    people = _on_roster(session, meeting_id, list(dict.fromkeys(attendee_ids)))
    for person in people:
        _move(session, person, group.id)
    return group


def auto_group(*, session: Session, meeting_id: str, count: int) -> list[DiscussionGroup]:
    """Form ``count`` groups and place members and observers: leaders (those with a rank) spread
    one by one over the groups, then whole delegations, largest first, each into the group that
    is smallest so far (which keeps the sizes balanced)."""
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    if session.scalar(select(func.count()).where(col(DiscussionGroup.meeting_id) == meeting_id)):
        raise Conflict("this meeting already has groups; assign people to them instead", field="count")
    groups = [
        form(session=session, meeting_id=meeting_id, group_in=GroupCreate(name=group_name(n)))
        for n in range(1, count + 1)
    ]
    people = list(
        session.scalars(
            select(Attendee).where(
                col(Attendee.meeting_id) == meeting_id,
                col(Attendee.status) == AttendeeStatus.registered,
                col(Attendee.category).in_(GROUPED),
            )
        )
    )
    size: Counter[str] = Counter({group.id: 0 for group in groups})
    leaders = sorted((p for p in people if p.rank is not None), key=lambda p: p.rank or 0)
    for turn, leader in enumerate(leaders):
        target = groups[turn % count].id
        _move(session, leader, target)
        size[target] += 1
    for delegation in _delegations_largest_first(p for p in people if p.rank is None):
        target = min(groups, key=lambda group: (size[group.id], group.position)).id
        for person in delegation:
            _move(session, person, target)
        size[target] += len(delegation)
    return groups


def listing(*, session: Session, meeting_id: str) -> list[GroupPublic]:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    groups = session.scalars(
        select(DiscussionGroup)
        .where(col(DiscussionGroup.meeting_id) == meeting_id)
        .order_by(col(DiscussionGroup.position))
    )
    sizes: dict[str | None, int] = dict(
        session.execute(
            select(col(Attendee.group_id), func.count())
            .where(col(Attendee.meeting_id) == meeting_id, col(Attendee.status) == AttendeeStatus.registered)
            .group_by(col(Attendee.group_id))
        ).all()
    )
    return [public(session, group, sizes.get(group.id, 0)) for group in groups]


def public(session: Session, group: DiscussionGroup, members: int | None = None) -> GroupPublic:
    convenor = session.get(Attendee, group.convenor_id) if group.convenor_id else None
    if members is None:
        members = (
            session.scalar(
                select(func.count()).where(
                    col(Attendee.group_id) == group.id, col(Attendee.status) == AttendeeStatus.registered
                )
            )
            or 0
        )
    return GroupPublic(
        id=group.id,
        name=group.name,
        position=group.position,
        room=group.room,
        convenor_id=group.convenor_id,
        convenor_name=convenor.name if convenor else None,
        members=members,
        version=group.version,
    )


def _delegations_largest_first(people: Iterable[Attendee]) -> list[list[Attendee]]:
    units: defaultdict[str, list[Attendee]] = defaultdict(list)
    for person in people:
        units[person.delegation or f"个人:{person.id}"].append(person)
    return sorted(units.values(), key=lambda unit: (-len(unit), stroke_key(unit[0].delegation or "")))


def _move(session: Session, person: Attendee, group_id: str) -> None:
    if person.group_id == group_id:
        return
    before = session.get(DiscussionGroup, person.group_id) if person.group_id else None
    after = session.get(DiscussionGroup, group_id)
    assert after is not None
    notices.notify(
        session,
        person,
        "group",
        f"{person.name}同志：您参加{after.name}的分组讨论，地点：{after.room or '另行通知'}。",
        before={"group": before.name} if before else None,
        after={"group": after.name, "room": after.room},
    )
    person.group_id = group_id
    person.version += 1
    emit(
        session,
        AttendeeUpdated(meeting_id=person.meeting_id, changed=["group_id"], **attendees.state(person)),
        subject=person.id,
    )


def _convenor(session: Session, group: DiscussionGroup, attendee_id: str) -> Attendee:
    (convenor,) = _on_roster(session, group.meeting_id, [attendee_id], field="convenor_id")
    _move(session, convenor, group.id)
    return convenor


def _on_roster(
    session: Session, meeting_id: str, ids: list[str], field: str = "attendee_ids"
) -> list[Attendee]:
    found = {
        p.id: p
        for p in session.scalars(
            select(Attendee).where(
                col(Attendee.meeting_id) == meeting_id,
                col(Attendee.id).in_(ids),
                col(Attendee.status) == AttendeeStatus.registered,
            )
        )
    }
    if missing := [attendee_id for attendee_id in ids if attendee_id not in found]:
        raise InvalidInput(field, "not_on_roster", f"not on this meeting's roster: {', '.join(missing)}")
    return [found[attendee_id] for attendee_id in ids]


def _refuse_taken_name(session: Session, meeting_id: str, name: str) -> None:
    if session.scalars(
        select(DiscussionGroup).where(
            col(DiscussionGroup.meeting_id) == meeting_id, col(DiscussionGroup.name) == name
        )
    ).first():
        raise GroupNameTaken(f"there is already a group called {name}", field="name")


def _state(group: DiscussionGroup) -> dict[str, object]:
    return {
        "version": group.version,
        "name": group.name,
        "position": group.position,
        "convenor_id": group.convenor_id,
        "room": group.room,
    }


def hand_over_convenor(session: Session, original: Attendee, replacement: Attendee) -> None:
    """A substitute convening in the original's place (RULES R1.4: no empty post)."""
    for group in session.scalars(
        select(DiscussionGroup).where(col(DiscussionGroup.convenor_id) == original.id)
    ):
        update(
            session=session,
            meeting_id=group.meeting_id,
            group_id=group.id,
            changes=GroupUpdate(convenor_id=replacement.id),
        )
