"""inputs: a board note sent into the inbox (group_code ``board``, its notes as ``sources``)

Revision ID: 5d2b7e91c4a3
Revises: bbaffcd0d12c
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d2b7e91c4a3"
down_revision: str | Sequence[str] | None = "bbaffcd0d12c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("input", schema=None) as batch_op:
        batch_op.alter_column(
            "group_code",
            existing_type=sa.String(length=1),
            type_=sa.String(length=8),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("sources", sa.JSON(), nullable=True))
    with op.batch_alter_table("inputevent", schema=None) as batch_op:
        batch_op.alter_column(
            "group_code",
            existing_type=sa.String(length=1),
            type_=sa.String(length=8),
            existing_nullable=False,
        )


def downgrade() -> None:
    # Board inputs have no single-letter group: they cannot survive the narrower column.
    op.execute("DELETE FROM inputevent WHERE length(group_code) > 1")
    op.execute("DELETE FROM input WHERE length(group_code) > 1")
    with op.batch_alter_table("inputevent", schema=None) as batch_op:
        batch_op.alter_column(
            "group_code",
            existing_type=sa.String(length=8),
            type_=sa.String(length=1),
            existing_nullable=False,
        )
    with op.batch_alter_table("input", schema=None) as batch_op:
        batch_op.drop_column("sources")
        batch_op.alter_column(
            "group_code",
            existing_type=sa.String(length=8),
            type_=sa.String(length=1),
            existing_nullable=False,
        )
