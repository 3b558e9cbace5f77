"""board: voting rounds and their votes (one row per vote; the room shows only totals)

Revision ID: 08b6783f9470
Revises: 6c9697209f47
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "08b6783f9470"
down_revision: str | Sequence[str] | None = "6c9697209f47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "boardround",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("votes_per_person", sa.Integer(), nullable=False),
        sa.Column("allow_double", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("boardround", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_boardround_document_id"), ["document_id"], unique=False
        )

    op.create_table(
        "boardvote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.String(length=40), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["boardround.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "participant_id", "slot", name="uq_boardvote_slot"),
    )
    with op.batch_alter_table("boardvote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_boardvote_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("boardvote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_boardvote_round_id"))

    op.drop_table("boardvote")
    with op.batch_alter_table("boardround", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_boardround_document_id"))

    op.drop_table("boardround")
