"""Documents: the register, PDF versions, reviews, numbered copies, the access log, the agenda it
keeps from venue; recipients' rank and delegation (protocol order).

Revision ID: doc0004
Revises: doc0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "doc0004"
down_revision: str | Sequence[str] | None = "doc0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recipient") as people:
        people.add_column(sa.Column("rank", sa.Integer(), nullable=True))
        people.add_column(sa.Column("delegation", sa.String(100), nullable=True))
    op.create_table(
        "scheduled_session",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("expected", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    _register()
    _copies()


def _register() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(100), nullable=True),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("classification", sa.String(20), nullable=False),
        sa.Column("secrecy_months", sa.Integer(), nullable=True),
        sa.Column("urgency", sa.String(20), nullable=False),
        sa.Column("embargo_until", UTCDateTime(), nullable=True),
        sa.Column("session_id", sa.String(36), nullable=True, index=True),
        sa.Column("deliver_at", UTCDateTime(), nullable=True),
        sa.Column("print_run", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("file_version", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("registered_by", sa.String(50), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "document_file",
        sa.Column("document_id", sa.String(36), sa.ForeignKey("document.id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(50), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "review_entry",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("document_id", sa.String(36), sa.ForeignKey("document.id"), nullable=False, index=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("before", sa.String(20), nullable=False),
        sa.Column("after", sa.String(20), nullable=False),
        sa.Column("by", sa.String(50), nullable=False),
        sa.Column("comment", sa.String(2000), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )


def _copies() -> None:
    op.create_table(
        "copy",
        sa.Column("document_id", sa.String(36), sa.ForeignKey("document.id"), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("attendee_id", sa.String(36), nullable=True, index=True),
        sa.Column("issued_at", UTCDateTime(), nullable=True),
        sa.Column("issued_by", sa.String(50), nullable=True),
        sa.Column("returned_at", UTCDateTime(), nullable=True),
        sa.Column("returned_by", sa.String(50), nullable=True),
        sa.Column("received_by", sa.String(50), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=True),
        sa.Column("approval_reference", sa.String(100), nullable=True),
        sa.Column("discovered_at", UTCDateTime(), nullable=True),
        sa.Column("circumstances", sa.String(2000), nullable=True),
        sa.Column("remarks", sa.String(2000), nullable=True),
    )
    op.create_table(
        "access_record",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("document_id", sa.String(36), nullable=False, index=True),
        sa.Column("copy_no", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("who", sa.String(100), nullable=False),
        sa.Column("clearance", sa.String(20), nullable=False),
        sa.Column("classification", sa.String(20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("access_record", "copy", "review_entry", "document_file", "document", "scheduled_session"):
        op.drop_table(table)
    with op.batch_alter_table("recipient") as people:
        people.drop_column("delegation")
        people.drop_column("rank")
