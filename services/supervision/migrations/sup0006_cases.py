"""Supervision: cases opened from other departments (missing copies, overdue requests).

Revision ID: sup0006
Revises: sup0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "sup0006"
down_revision: str | Sequence[str] | None = "sup0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supervision_case",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(10), nullable=False, index=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("cause_key", sa.String(100), nullable=False, unique=True),
        sa.Column("cause_event_id", sa.String(36), nullable=True),
        sa.Column("document_id", sa.String(36), nullable=True),
        sa.Column("copy_no", sa.String(6), nullable=True),
        sa.Column("classification", sa.String(20), nullable=True),
        sa.Column("request_id", sa.String(36), nullable=True),
        sa.Column("report_due_at", UTCDateTime(), nullable=True, index=True),
        sa.Column("warned_at", UTCDateTime(), nullable=True),
        sa.Column("alerted_at", UTCDateTime(), nullable=True),
        sa.Column("reported_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(50), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
    )
    op.create_table(
        "lost_copy",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("supervision_case.id"), primary_key=True),
        sa.Column("document_title", sa.String(200), nullable=False),
        sa.Column("marking", sa.String(40), nullable=False),
        sa.Column("holder_id", sa.String(36), nullable=True),
        sa.Column("discovered_at", UTCDateTime(), nullable=False),
        sa.Column("circumstances", sa.Text(), nullable=False),
    )
    op.create_table(
        "loss_report",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("supervision_case.id"), primary_key=True),
        sa.Column("medium", sa.String(50), nullable=False),
        sa.Column("lost_at", UTCDateTime(), nullable=True),
        sa.Column("lost_where", sa.String(200), nullable=False),
        sa.Column("course", sa.Text(), nullable=False),
        sa.Column("responsible", sa.String(50), nullable=False),
        sa.Column("harm", sa.Text(), nullable=False),
        sa.Column("investigation", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(50), nullable=False),
        sa.Column("secrecy_bureau", sa.String(200), nullable=False),
        sa.Column("superior", sa.String(200), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "followed_request",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("kind", sa.String(10), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("attendee_id", sa.String(36), nullable=True),
        sa.Column("assigned_to", sa.String(50), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True, index=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("follow_up_id", sa.String(36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in ("followed_request", "loss_report", "lost_copy", "supervision_case"):
        op.drop_table(table)
