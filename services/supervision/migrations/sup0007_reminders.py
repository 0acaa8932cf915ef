"""Supervision: the 催办 log, every chase note a task was sent (三色督办).

Revision ID: sup0007
Revises: sup0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "sup0007"
down_revision: str | Sequence[str] | None = "sup0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_reminder",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("task_id", sa.String(36), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("colour", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("deadline", UTCDateTime(), nullable=False),
        sa.Column("task_state", sa.String(20), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("time_limit", UTCDateTime(), nullable=True),
        sa.Column("reminded_by", sa.String(100), nullable=True),
        sa.Column("reminded_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_task_reminder_task_deadline", "task_reminder", ["task_id", "deadline"])


def downgrade() -> None:
    op.drop_index("ix_task_reminder_task_deadline", table_name="task_reminder")
    op.drop_table("task_reminder")
