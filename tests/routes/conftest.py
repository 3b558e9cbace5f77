"""Fixtures for the REST suite: the app on a real database with the demo meeting in it.

The app (and its lifespan) starts once per test module and backend, over a database emptied
for the module; each test gets a new demo meeting of its own (tests marked ``read_only``
share one per module) and a client without cookies.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.config import Settings
from app.main import create_app
from tests.routes.util import Meeting, make_meeting

MAX_BODY_BYTES = 256 * 1024


def make_settings(database_url: str, frontend_dist: Path, **changes: object) -> Settings:
    # Every field the tests depend on is given here, so OUTCOMES_* variables cannot change it.
    values: dict[str, object] = {
        "database_url": database_url,
        "frontend_dist": frontend_dist,
        "public_url": "http://testserver",
        "max_body_bytes": MAX_BODY_BYTES,
        "link_lifetime_hours": 72,
        "cookie_secure": False,
        "seed_demo": False,
        "auto_checkpoints": True,
        # Some tests open a second app on the database of the one already running (each in
        # this one process); the lease itself is tested with real servers (tests/scaleout/).
        "instance_lease": False,
        **changes,
    }
    return Settings.model_validate(values)


@pytest.fixture(scope="module")
def _module_client(db_url: str, frontend_dist: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(db_url, frontend_dist))
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "read_only: the test changes no data (it asserts so), so it may share its module's "
        "demo meeting instead of making its own",
    )


@pytest.fixture(scope="module")
def _shared_demo(db_engine: Engine) -> Meeting:
    return make_meeting(db_engine)


@pytest.fixture(scope="module")
def _shared_other(db_engine: Engine, _shared_demo: Meeting) -> Meeting:
    return make_meeting(db_engine)


def _read_only(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("read_only") is not None


@pytest.fixture
def demo(request: pytest.FixtureRequest, db_engine: Engine) -> Meeting:
    """The demo meeting (created through the service), with a token per role.

    A test of its own gets a new one; a ``read_only`` test shares its module's.
    """
    if _read_only(request):
        shared: Meeting = request.getfixturevalue("_shared_demo")
        return shared
    return make_meeting(db_engine)


@pytest.fixture
def other(request: pytest.FixtureRequest, db_engine: Engine, demo: Meeting) -> Meeting:
    """A second meeting: its objects must not exist for the demo meeting's people."""
    if _read_only(request):
        shared: Meeting = request.getfixturevalue("_shared_other")
        return shared
    return make_meeting(db_engine)


@pytest.fixture
def client(_module_client: TestClient) -> TestClient:
    """A client of the app, over the module's database; it sends no token and has no cookie."""
    _module_client.cookies.clear()
    return _module_client
