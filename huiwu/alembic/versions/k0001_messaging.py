"""Kernel tables every service has: outbox, inbox, dead letters.

Revision ID: k0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "k0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("kernel",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_event",
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("nats_subject", sa.String(200), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("meeting_id", sa.String(36), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("stream_sequence", sa.Integer(), nullable=True),
    )
    op.create_index("ix_outbox_event_meeting_id", "outbox_event", ["meeting_id"])
    op.create_index("ix_outbox_event_published_at", "outbox_event", ["published_at"])

    op.create_table(
        "inbox_entry",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("meeting_id", sa.String(36), nullable=True),
        sa.Column("stream_sequence", sa.Integer(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_inbox_entry_meeting_id", "inbox_entry", ["meeting_id"])
    op.create_index("ix_inbox_entry_applied_at", "inbox_entry", ["applied_at"])

    op.create_table(
        "dead_letter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("stream", sa.String(100), nullable=False),
        sa.Column("stream_sequence", sa.Integer(), nullable=False),
        sa.Column("nats_subject", sa.String(200), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=True),
        sa.Column("event_type", sa.String(200), nullable=True),
        sa.Column("meeting_id", sa.String(200), nullable=True),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("parked_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_dead_letter_consumer", "dead_letter", ["consumer"])
    op.create_index("ix_dead_letter_meeting_id", "dead_letter", ["meeting_id"])


def downgrade() -> None:
    op.drop_table("dead_letter")
    op.drop_table("inbox_entry")
    op.drop_table("outbox_event")
