"""Creating the tables every model registers on ``SQLModel.metadata`` (no migration tool yet)."""

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import app.models  # noqa: F401  -- registers every table on SQLModel.metadata


def create_tables(engine: Engine) -> None:
    """Create missing tables, and add missing nullable columns to existing ones (a database
    made by an older version: no migration tool yet, and new columns are nullable)."""
    SQLModel.metadata.create_all(engine)
    add_missing_columns(engine)


def add_missing_columns(engine: Engine) -> list[str]:
    """``ALTER TABLE … ADD COLUMN`` for each nullable model column the database lacks."""
    inspector = inspect(engine)
    added = []
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present or not column.nullable:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
                added.append(f"{table.name}.{column.name}")
    return added
