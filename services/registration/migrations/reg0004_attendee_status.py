"""Registration: attendees' status (registered, substituted, withdrawn).

Revision ID: reg0004
Revises: reg0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "reg0004"
down_revision: str | Sequence[str] | None = "reg0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attendee") as attendee:
        attendee.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="registered"))


def downgrade() -> None:
    with op.batch_alter_table("attendee") as attendee:
        attendee.drop_column("status")
