"""Registration: hotel rooms and stays, dining tables and diners.

Revision ID: reg0008
Revises: reg0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "reg0008"
down_revision: str | Sequence[str] | None = "reg0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotel_room",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), sa.ForeignKey("meeting.id"), nullable=False, index=True),
        sa.Column("hotel", sa.String(100), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("beds", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("meeting_id", "hotel", "number", name="uq_hotel_room"),
    )
    op.create_table(
        "stay",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("room_id", sa.String(36), sa.ForeignKey("hotel_room.id"), nullable=False, index=True),
        sa.Column("attendee_id", sa.String(36), sa.ForeignKey("attendee.id"), nullable=False, index=True),
        sa.Column("check_in_on", sa.Date(), nullable=False),
        sa.Column("check_out_on", sa.Date(), nullable=False),
    )
    op.create_table(
        "dining_table",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), sa.ForeignKey("meeting.id"), nullable=False, index=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("meeting_id", "name", name="uq_dining_table"),
    )
    op.create_table(
        "diner",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("table_id", sa.String(36), sa.ForeignKey("dining_table.id"), nullable=False, index=True),
        sa.Column("attendee_id", sa.String(36), sa.ForeignKey("attendee.id"), nullable=False),
        sa.UniqueConstraint("meeting_id", "attendee_id", name="uq_diner_attendee"),
    )


def downgrade() -> None:
    op.drop_table("diner")
    op.drop_table("dining_table")
    op.drop_table("stay")
    op.drop_table("hotel_room")
