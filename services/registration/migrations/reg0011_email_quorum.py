"""Registration: attendees' email, each meeting's quorum rule, and room for a notice's
``undeliverable`` status.

Revision ID: reg0011
Revises: reg0010
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "reg0011"
down_revision: str | Sequence[str] | None = "reg0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as meeting:
        # Existing meetings keep the rule they were counted by: more than half (过半数).
        meeting.add_column(
            sa.Column("quorum", sa.String(30), nullable=False, server_default="more_than_half")
        )
    with op.batch_alter_table("attendee") as attendee:
        attendee.add_column(sa.Column("email", sa.String(254), nullable=True))
    with op.batch_alter_table("notice") as notice:
        notice.alter_column("status", existing_type=sa.String(10), type_=sa.String(20))


def downgrade() -> None:
    # The older code knows no undeliverable notices: it retries them like any pending one.
    op.execute("UPDATE notice SET status = 'pending' WHERE status = 'undeliverable'")
    with op.batch_alter_table("notice") as notice:
        notice.alter_column("status", existing_type=sa.String(20), type_=sa.String(10))
    with op.batch_alter_table("attendee") as attendee:
        attendee.drop_column("email")
    with op.batch_alter_table("meeting") as meeting:
        meeting.drop_column("quorum")
