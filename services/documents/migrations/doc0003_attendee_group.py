"""Documents: the discussion group each attendee sits in.

Revision ID: doc0003
Revises: doc0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "doc0003"
down_revision: str | Sequence[str] | None = "doc0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recipient") as people:
        people.add_column(sa.Column("group_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recipient") as people:
        people.drop_column("group_id")
