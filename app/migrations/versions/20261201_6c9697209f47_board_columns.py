"""board: columns, ordered, per document (the notes that name them live in the board room)

Revision ID: 6c9697209f47
Revises: 6a0e3f1c2b7d
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6c9697209f47"
down_revision: str | Sequence[str] | None = "6a0e3f1c2b7d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "boardcolumn",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("boardcolumn", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_boardcolumn_document_id"), ["document_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("boardcolumn", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_boardcolumn_document_id"))

    op.drop_table("boardcolumn")
