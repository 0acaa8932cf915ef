"""Registration: roster freeze and the changes asked for while frozen.

Revision ID: reg0007
Revises: reg0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "reg0007"
down_revision: str | Sequence[str] | None = "reg0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as meeting:
        meeting.add_column(sa.Column("roster_frozen_at", UTCDateTime(), nullable=True))
        meeting.add_column(sa.Column("roster_frozen_by", sa.String(50), nullable=True))
    op.create_table(
        "roster_change",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), sa.ForeignKey("meeting.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("attendee_id", sa.String(36), sa.ForeignKey("attendee.id"), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(50), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("result_attendee_id", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("roster_change")
    with op.batch_alter_table("meeting") as meeting:
        meeting.drop_column("roster_frozen_by")
        meeting.drop_column("roster_frozen_at")
