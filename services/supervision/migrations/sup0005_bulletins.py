"""Supervision: opinions from group discussions, bulletins (简报) and situation reports (情况反映),
and the meetings' names from registration.

Revision ID: sup0005
Revises: sup0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "sup0005"
down_revision: str | Sequence[str] | None = "sup0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "known_meeting",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "opinion",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("group_id", sa.String(36), nullable=True, index=True),
        sa.Column("group_name", sa.String(100), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=True, index=True),
        sa.Column("speaker_id", sa.String(36), nullable=True, index=True),
        sa.Column("speaker_name", sa.String(50), nullable=False),
        sa.Column("speaker_post", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(50), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
    )
    _bulletins()
    op.create_table(
        "situation_report",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_opinion_ids", sa.JSON(), nullable=False),
        sa.Column("addressees", sa.JSON(), nullable=False),
        sa.Column("sent_by", sa.String(50), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
    )


def _bulletins() -> None:
    op.create_table(
        "bulletin",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("issue_number", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("unit", sa.String(50), nullable=False),
        sa.Column("headline", sa.String(200), nullable=False),
        sa.Column("write_up", sa.String(20), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("print_count", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(20), nullable=False),
        sa.Column("secrecy_years", sa.Integer(), nullable=True),
        sa.Column("drafted_by", sa.String(50), nullable=False),
        sa.Column("issued_by", sa.String(50), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("issued_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
        sa.UniqueConstraint("meeting_id", "issue_number", name="uq_bulletin_issue_number"),
    )
    op.create_table(
        "bulletin_file",
        sa.Column("bulletin_id", sa.String(36), sa.ForeignKey("bulletin.id"), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    for table in ("situation_report", "bulletin_file", "bulletin", "opinion", "known_meeting"):
        op.drop_table(table)
