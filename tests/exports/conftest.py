"""The REST suite's fixtures (the app on SQLite and PostgreSQL, the demo meeting per test)."""

from tests.routes.conftest import (  # noqa: F401  (fixtures, found by name)
    _module_client,
    _shared_demo,
    _shared_other,
    client,
    demo,
    other,
    pytest_configure,
)
