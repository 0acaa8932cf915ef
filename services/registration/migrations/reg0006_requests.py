"""Registration: delegates' requests and errands.

Revision ID: reg0006
Revises: reg0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "reg0006"
down_revision: str | Sequence[str] | None = "reg0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendee_request",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), sa.ForeignKey("meeting.id"), nullable=False, index=True),
        sa.Column("attendee_id", sa.String(36), sa.ForeignKey("attendee.id"), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("assigned_to", sa.String(50), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("attendee_request")
