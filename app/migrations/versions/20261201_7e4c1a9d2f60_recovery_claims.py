"""recovery claims: the instance behind an acceptance, and board promotions under way

Crash recovery with several instances (issue 16): ``input.claimed_by`` names the instance
whose acceptance claimed an input, and ``promotionclaim`` holds each board promotion until its
provenance is recorded, so start-up settles only the claims of instances that are dead.

Revision ID: 7e4c1a9d2f60
Revises: 5d2b7e91c4a3
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7e4c1a9d2f60"
down_revision: str | Sequence[str] | None = "5d2b7e91c4a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("input", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=16), nullable=True))
    op.create_table(
        "promotionclaim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.String(length=40), nullable=False),
        sa.Column("entry_at", sa.String(length=40), nullable=False),
        sa.Column("text", sa.String(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("instance", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("promotionclaim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_promotionclaim_document_id"), ["document_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("promotionclaim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promotionclaim_document_id"))
    op.drop_table("promotionclaim")
    with op.batch_alter_table("input", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
