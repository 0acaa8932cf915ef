"""Dead letters an operator settled: when, and how (applied again, or dismissed and why).

Revision ID: k0002
Revises: k0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "k0002"
down_revision: str | Sequence[str] | None = "k0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("dead_letter", sa.Column("resolved_at", UTCDateTime(), nullable=True))
    op.add_column("dead_letter", sa.Column("resolution", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dead_letter") as table:  # SQLite drops columns by copying the table
        table.drop_column("resolution")
        table.drop_column("resolved_at")
