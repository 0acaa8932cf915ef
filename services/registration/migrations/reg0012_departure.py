"""Registration: each attendee's departure (离会) and documents' answer to it.

Revision ID: reg0012
Revises: reg0011
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "reg0012"
down_revision: str | Sequence[str] | None = "reg0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "departure",
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), sa.ForeignKey("meeting.id"), nullable=False),
        # One departure per person: asking again after a refusal updates it with a new request id.
        sa.Column("attendee_id", sa.String(36), sa.ForeignKey("attendee.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("outstanding", sa.JSON(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_departure_attendee_id", "departure", ["attendee_id"], unique=True)


def downgrade() -> None:
    op.drop_table("departure")
