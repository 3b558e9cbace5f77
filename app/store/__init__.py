"""Durable storage of realtime rooms: an append-only Yjs update log with snapshots."""

from app.store.base import StoredRoom, StoreError, UpdateStore
from app.store.memory import MemoryUpdateStore
from app.store.sql import SqlUpdateStore

__all__ = ["MemoryUpdateStore", "SqlUpdateStore", "StoreError", "StoredRoom", "UpdateStore"]
