"""Registration: badges (version, signing key), scans and refused scans, leave of absence.

Revision ID: reg0003
Revises: reg0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "reg0003"
down_revision: str | Sequence[str] | None = "reg0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attendee") as attendee:
        attendee.add_column(sa.Column("badge_version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "signing_key",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("secret", sa.String(100), nullable=False),
    )
    op.create_table(
        "scan",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("attendee_id", sa.String(36), sa.ForeignKey("attendee.id"), nullable=False, index=True),
        sa.Column("session_id", sa.String(36), nullable=True),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("gate", sa.String(100), nullable=True),
        sa.Column("nonce", sa.String(100), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("meeting_id", "nonce", name="uq_scan_meeting_nonce"),
    )
    op.create_table(
        "failedscan",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("detail", sa.String(300), nullable=False),
        sa.Column("badge_excerpt", sa.String(40), nullable=True),
        sa.Column("gate", sa.String(100), nullable=True),
        sa.Column("nonce", sa.String(100), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "leave",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("attendee_id", sa.String(36), sa.ForeignKey("attendee.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("approver", sa.String(50), nullable=False),
        sa.Column("session_ids", sa.JSON(), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leave")
    op.drop_table("failedscan")
    op.drop_table("scan")
    op.drop_table("signing_key")
    with op.batch_alter_table("attendee") as attendee:
        attendee.drop_column("badge_version")
