"""Why a database cannot be brought to the code's schema; each ``message`` is one paragraph
for the operator, saying what to do."""


class SchemaError(Exception):
    """The database cannot be brought to this code's schema; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseAheadError(SchemaError):
    """The database is at a revision this code does not know: a newer version migrated it."""


class DatabaseBehindError(SchemaError):
    """The database needs migrations and start-up was told not to run them."""


class LegacySchemaError(SchemaError):
    """A pre-migration database lacks something adoption cannot add without losing rows."""
