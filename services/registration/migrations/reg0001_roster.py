"""Registration: meetings and their attendees.

Revision ID: reg0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "reg0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("registration",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "attendee",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("organization", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("gender", sa.String(10), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("delegation", sa.String(100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_attendee_meeting_id", "attendee", ["meeting_id"])
    op.create_index("ix_attendee_created_at", "attendee", ["created_at"])


def downgrade() -> None:
    op.drop_table("attendee")
    op.drop_table("meeting")
