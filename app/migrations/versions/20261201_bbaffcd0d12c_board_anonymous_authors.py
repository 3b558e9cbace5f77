"""board: who posted each anonymous note (for the secretariat and the audit log, never the room)

Revision ID: bbaffcd0d12c
Revises: 08b6783f9470
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bbaffcd0d12c"
down_revision: str | Sequence[str] | None = "08b6783f9470"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "boardanonymous",
        sa.Column("note_id", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
        ),
        sa.PrimaryKeyConstraint("note_id"),
    )
    with op.batch_alter_table("boardanonymous", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_boardanonymous_document_id"), ["document_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("boardanonymous", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_boardanonymous_document_id"))

    op.drop_table("boardanonymous")
