"""Venue: the venue catalogue, the meetings and groups it knows, protocol settings, leave, the
agenda, seating plans and pins; substitutes keep the original's place.

Revision ID: ven0004
Revises: ven0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "ven0004"
down_revision: str | Sequence[str] | None = "ven0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("seated_person") as people:
        people.add_column(sa.Column("order_name", sa.String(50), nullable=True))
        people.add_column(sa.Column("place_of", sa.String(36), nullable=True))
    op.create_table(
        "absence",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("attendee_id", sa.String(36), nullable=False, index=True),
        sa.Column("session_ids", sa.JSON(), nullable=False),
    )
    _meetings()
    _catalogue()
    _agenda()
    _seating()


def _meetings() -> None:
    op.create_table(
        "known_meeting",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("name_order", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "known_group",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "protocol_settings",
        sa.Column("meeting_id", sa.String(36), primary_key=True),
        sa.Column("even_variant", sa.String(10), nullable=False),
        sa.Column("centre_axis", sa.String(20), nullable=False),
        sa.Column("presiding_placement", sa.String(20), nullable=False),
        sa.Column("hall_layout", sa.String(20), nullable=False),
        sa.Column("hall_blocks", sa.String(20), nullable=False),
        sa.Column("delegation_order", sa.String(20), nullable=False),
        sa.Column("delegations", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )


def _catalogue() -> None:
    op.create_table(
        "venue",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "room",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("venue_id", sa.String(36), sa.ForeignKey("venue.id"), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("building", sa.String(100), nullable=True),
        sa.Column("floor", sa.String(50), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seat_map", sa.JSON(), nullable=True),
        sa.Column("podium", sa.JSON(), nullable=True),
        sa.Column("lectern", sa.String(20), nullable=False),
        sa.Column("microphones", sa.JSON(), nullable=False),
        sa.Column("equipment", sa.JSON(), nullable=False),
        sa.Column("notes", sa.String(2000), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def _agenda() -> None:
    op.create_table(
        "agenda_session",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("room_id", sa.String(36), sa.ForeignKey("room.id"), nullable=False, index=True),
        sa.Column("presiding_officer_id", sa.String(36), nullable=True),
        sa.Column("speaker_ids", sa.JSON(), nullable=False),
        sa.Column("expected", sa.JSON(), nullable=False),
        sa.Column("podium_ids", sa.JSON(), nullable=True),
        sa.Column("backup_room_ids", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("needs_replan", sa.Boolean(), nullable=False, index=True),
        sa.Column("replan_reason", sa.String(50), nullable=True),
        sa.Column("plan_problems", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def _seating() -> None:
    op.create_table(
        "seat_assignment",
        sa.Column("session_id", sa.String(36), sa.ForeignKey("agenda_session.id"), primary_key=True),
        sa.Column("attendee_id", sa.String(36), primary_key=True),
        sa.Column("area", sa.String(10), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("column", sa.Integer(), nullable=False),
        sa.Column("precedence", sa.Integer(), nullable=True),
        sa.Column("offset", sa.Float(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("changed_in", sa.Integer(), nullable=False),
        sa.UniqueConstraint("session_id", "area", "row", "column", name="uq_seat_assignment_seat"),
    )
    op.create_table(
        "seat_pin",
        sa.Column("session_id", sa.String(36), sa.ForeignKey("agenda_session.id"), primary_key=True),
        sa.Column("attendee_id", sa.String(36), primary_key=True),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("column", sa.Integer(), nullable=False),
        sa.Column("pinned_by", sa.String(50), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("seat_pin", "seat_assignment", "agenda_session", "room", "venue"):
        op.drop_table(table)
    for table in ("protocol_settings", "known_group", "known_meeting", "absence"):
        op.drop_table(table)
    with op.batch_alter_table("seated_person") as people:
        people.drop_column("place_of")
        people.drop_column("order_name")
