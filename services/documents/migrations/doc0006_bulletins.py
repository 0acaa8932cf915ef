"""Documents: classified bulletins supervision issued, linked to the documents they are registered as.

Revision ID: doc0006
Revises: doc0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiwu.db import UTCDateTime

revision: str = "doc0006"
down_revision: str | Sequence[str] | None = "doc0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bulletin_document",
        sa.Column("bulletin_id", sa.String(36), primary_key=True),
        sa.Column("document_id", sa.String(36), sa.ForeignKey("document.id"), nullable=False, unique=True),
        sa.Column("meeting_id", sa.String(36), nullable=False, index=True),
        sa.Column("issue_number", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("bulletin_document")
