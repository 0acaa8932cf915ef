"""Gateway: requests made with an Idempotency-Key and their answers; a token's own rate limit.

Revision ID: gw0003_idempotency
Revises: gw0002_webhooks
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "gw0003_idempotency"
down_revision: str | Sequence[str] | None = "gw0002_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotent_request",
        sa.Column("token_id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("claim_id", sa.String(36), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.Text(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
    )
    op.create_index("ix_idempotent_request_created_at", "idempotent_request", ["created_at"])
    op.add_column("api_token", sa.Column("rate_per_s", sa.Float(), nullable=True))
    op.add_column("api_token", sa.Column("rate_burst", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token") as table:
        table.drop_column("rate_burst")
        table.drop_column("rate_per_s")
    op.drop_table("idempotent_request")
