"""Venue: attendees' status (registered, substituted, withdrawn).

Revision ID: ven0002
Revises: ven0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ven0002"
down_revision: str | Sequence[str] | None = "ven0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("seated_person") as people:
        people.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="registered"))


def downgrade() -> None:
    with op.batch_alter_table("seated_person") as people:
        people.drop_column("status")
