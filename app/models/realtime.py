"""The durable Yjs update log of every realtime room, and the snapshots that speed loading."""

from datetime import datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.common import utcnow


class YUpdate(SQLModel, table=True):
    """One Yjs update (v1 encoding) as applied to a room, in the order it was applied.

    Rows are never rewritten or deleted: they are the history that time travel replays.
    """

    __tablename__ = "yupdate"
    __table_args__ = (UniqueConstraint("room", "seq", name="uq_yupdate_room_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    room: str = Field(max_length=80, index=True)
    seq: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # Who caused it; None for the server (seeding, REST structure changes by the operator).
    participant_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


class YSnapshot(SQLModel, table=True):
    """The merged state of a room after every update up to and including ``upto_seq``."""

    __tablename__ = "ysnapshot"
    __table_args__ = (UniqueConstraint("room", "upto_seq", name="uq_ysnapshot_room_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    room: str = Field(max_length=80, index=True)
    upto_seq: int
    state: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
