"""Registration: discussion groups (编组) and each attendee's group.

Revision ID: reg0005
Revises: reg0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "reg0005"
down_revision: str | Sequence[str] | None = "reg0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discussion_group",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_id", sa.String(36), sa.ForeignKey("meeting.id"), nullable=False, index=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("convenor_id", sa.String(36), sa.ForeignKey("attendee.id"), nullable=True),
        sa.Column("room", sa.String(100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("meeting_id", "name", name="uq_discussion_group_meeting_name"),
    )
    with op.batch_alter_table("attendee") as attendee:
        attendee.add_column(sa.Column("group_id", sa.String(36), nullable=True))
        attendee.create_index("ix_attendee_group_id", ["group_id"])
        attendee.create_foreign_key("fk_attendee_group_id", "discussion_group", ["group_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("attendee") as attendee:
        attendee.drop_constraint("fk_attendee_group_id", type_="foreignkey")
        attendee.drop_index("ix_attendee_group_id")
        attendee.drop_column("group_id")
    op.drop_table("discussion_group")
