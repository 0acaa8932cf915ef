from __future__ import annotations

from fastapi import APIRouter, Response

from huiwu.pagination import Cursor, Limit, Page, keyset_after, page_of
from huiwu.service import SessionDep
from services.venue.venues import service
from services.venue.venues.models import RoomCreate, RoomPublic, VenueCreate, VenuePublic

router = APIRouter(prefix="/api/v1/venues", tags=["venues"])


@router.post("", status_code=201, response_model=VenuePublic)
def create_venue(venue_in: VenueCreate, session: SessionDep, response: Response) -> VenuePublic:
    """A hotel or hall that holds meeting rooms."""
    venue = service.create_venue(session, venue_in)
    response.headers["Location"] = f"/api/v1/venues/{venue.id}"
    return VenuePublic.model_validate(venue, from_attributes=True)


@router.get("", response_model=Page[VenuePublic])
def list_venues(session: SessionDep, limit: Limit = 50, cursor: Cursor = None) -> Page[VenuePublic]:
    rows = service.venues_page(session, limit + 1, keyset_after(cursor, "venues"))
    return page_of(rows, limit, VenuePublic, "venues")


@router.get("/{venue_id}", response_model=VenuePublic)
def read_venue(venue_id: str, session: SessionDep) -> VenuePublic:
    return VenuePublic.model_validate(service.venue_or_raise(session, venue_id), from_attributes=True)


@router.post("/{venue_id}/rooms", status_code=201, response_model=RoomPublic)
def add_room(venue_id: str, room_in: RoomCreate, session: SessionDep, response: Response) -> RoomPublic:
    """A meeting room: capacity, seat map, podium, lectern, microphones and equipment."""
    room = service.add_room(session, venue_id, room_in)
    response.headers["Location"] = f"/api/v1/venues/{venue_id}/rooms/{room.id}"
    return RoomPublic.of(room)


@router.get("/{venue_id}/rooms", response_model=list[RoomPublic])
def list_rooms(venue_id: str, session: SessionDep) -> list[RoomPublic]:
    return [RoomPublic.of(room) for room in service.rooms_of(session, venue_id)]


@router.get("/{venue_id}/rooms/{room_id}", response_model=RoomPublic)
def read_room(venue_id: str, room_id: str, session: SessionDep) -> RoomPublic:
    return RoomPublic.of(service.room_or_raise(session, venue_id, room_id))
