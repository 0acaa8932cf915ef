"""Supervision: the hash-chained journal of every event.

Revision ID: sup0004
Revises: sup0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "sup0004"
down_revision: str | Sequence[str] | None = "sup0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64  # the previous hash of the first entry


def upgrade() -> None:
    op.create_table(
        "journal_entry",
        sa.Column("position", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("producer", sa.String(50), nullable=False),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("meeting_id", sa.String(36), nullable=True),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_journal_entry_meeting_position", "journal_entry", ["meeting_id", "position"])
    op.create_index("ix_journal_entry_type_position", "journal_entry", ["event_type", "position"])
    head = op.create_table(
        "journal_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "position": 0, "hash": GENESIS}])


def downgrade() -> None:
    op.drop_table("journal_head")
    op.drop_table("journal_entry")
