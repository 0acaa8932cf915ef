from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from huiwu.errors import NotFound
from services.venue.venues.models import Room, RoomCreate, Venue, VenueCreate


def create_venue(session: Session, venue_in: VenueCreate) -> Venue:
    venue = Venue.model_validate(venue_in)
    session.add(venue)
    return venue


def venue_or_raise(session: Session, venue_id: str) -> Venue:
    venue = session.get(Venue, venue_id)
    if venue is None:
        raise NotFound(f"venue {venue_id} does not exist", field="venue_id")
    return venue


def add_room(session: Session, venue_id: str, room_in: RoomCreate) -> Room:
    venue_or_raise(session, venue_id)
    room = Room.model_validate({**room_in.model_dump(mode="json"), "venue_id": venue_id})
    session.add(room)
    return room


def room_or_raise(session: Session, venue_id: str, room_id: str) -> Room:
    room = session.get(Room, room_id)
    if room is None or room.venue_id != venue_id:
        raise NotFound(f"room {room_id} is not in venue {venue_id}", field="room_id")
    return room


def venues_page(session: Session, limit: int, after: tuple[datetime, str] | None) -> list[Venue]:
    query = select(Venue)
    if after is not None:
        query = query.where(tuple_(col(Venue.created_at), col(Venue.id)) > after)
    return list(session.scalars(query.order_by(col(Venue.created_at), col(Venue.id)).limit(limit)))


def rooms_of(session: Session, venue_id: str) -> list[Room]:
    venue_or_raise(session, venue_id)
    query = select(Room).where(col(Room.venue_id) == venue_id)
    return list(session.scalars(query.order_by(col(Room.created_at), col(Room.id))))
