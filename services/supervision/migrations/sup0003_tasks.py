"""Supervision: tracked tasks (督办事项), their history, progress reports and extensions.

Revision ID: sup0003
Revises: sup0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "sup0003"
down_revision: str | Sequence[str] | None = "sup0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supervision_settings",
        sa.Column("meeting_id", sa.String(36), primary_key=True),
        sa.Column("number_format", sa.String(50), nullable=False),
        sa.Column("blue_hours_left", sa.Integer(), nullable=False),
        sa.Column("yellow_hours_left", sa.Integer(), nullable=False),
        sa.Column("yellow_after_blue_hours", sa.Integer(), nullable=False),
        sa.Column("red_hours_overdue", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "task",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(20), nullable=False),
        sa.Column("source_reference", sa.String(200), nullable=True),
        sa.Column("source_session_id", sa.String(36), nullable=True),
        sa.Column("lead_department", sa.String(100), nullable=False),
        sa.Column("supporting_departments", sa.JSON(), nullable=False),
        sa.Column("responsible_person", sa.String(50), nullable=False),
        sa.Column("responsible_attendee_id", sa.String(36), nullable=True),
        sa.Column("deadline", UTCDateTime(), nullable=False),
        sa.Column("report_frequency", sa.String(10), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("registered_by", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("meeting_id", "year", "serial", name="uq_task_number"),
    )
    _history()
    _reports()


def _history() -> None:
    op.create_table(
        "task_transition",
        sa.Column("task_id", sa.String(36), sa.ForeignKey("task.id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.Column("department", sa.String(100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "task_deadline",
        sa.Column("task_id", sa.String(36), sa.ForeignKey("task.id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("deadline", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("set_by", sa.String(100), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "task_extension",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("task_id", sa.String(36), sa.ForeignKey("task.id"), nullable=False, index=True),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("requested_deadline", UTCDateTime(), nullable=False),
        sa.Column("previous_deadline", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
    )


def _reports() -> None:
    op.create_table(
        "task_report",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("task_id", sa.String(36), sa.ForeignKey("task.id"), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(100), nullable=True),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "task_attachment",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("report_id", sa.String(36), sa.ForeignKey("task_report.id"), nullable=False, index=True),
        sa.Column("task_id", sa.String(36), sa.ForeignKey("task.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "task_attachment", "task_report", "task_extension", "task_deadline", "task_transition", "task",
        "supervision_settings",
    ):  # fmt: skip
        op.drop_table(table)
