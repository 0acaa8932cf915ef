"""Registration: attendees' phone, ID number (unique per meeting) and needs; meetings' name order.

Revision ID: reg0002
Revises: reg0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "reg0002"
down_revision: str | Sequence[str] | None = "reg0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as meeting:
        meeting.add_column(sa.Column("name_order", sa.String(20), nullable=False, server_default="surname"))
    with op.batch_alter_table("attendee") as attendee:
        attendee.add_column(sa.Column("phone", sa.String(20), nullable=True))
        attendee.add_column(sa.Column("id_number", sa.String(18), nullable=True))
        attendee.add_column(sa.Column("needs", sa.JSON(), nullable=True))
        attendee.create_unique_constraint("uq_attendee_meeting_id_number", ["meeting_id", "id_number"])


def downgrade() -> None:
    with op.batch_alter_table("attendee") as attendee:
        attendee.drop_constraint("uq_attendee_meeting_id_number", type_="unique")
        attendee.drop_column("needs")
        attendee.drop_column("id_number")
        attendee.drop_column("phone")
    with op.batch_alter_table("meeting") as meeting:
        meeting.drop_column("name_order")
