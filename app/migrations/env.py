"""Alembic's environment for Outcomes' schema (read by Alembic, not imported by the app).

``upgrade_database`` hands it a connection that is already locked and inside a transaction
(``config.attributes["connection"]``). From a clone's command line (``alembic …``, with the
repository's alembic.ini) it opens one itself, on ``-x url=…`` or OUTCOMES_DATABASE_URL, with
the same lock.
"""

import logging

from alembic import context

from app.config import get_settings
from app.db import make_engine
from app.migrations.runner import context_options, locked_connection

config = context.config
given = config.attributes.get("connection")

if context.is_offline_mode():
    # The baseline creates its tables through a connection (versions/*_baseline.py).
    raise SystemExit("Outcomes' migrations run on a database, not as SQL (--sql is not supported).")

if given is not None:
    context.configure(connection=given, **context_options())
    with context.begin_transaction():
        context.run_migrations()
else:
    # The command line: show what autogenerate detects and what runs.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.INFO)
    url = context.get_x_argument(as_dictionary=True).get("url") or get_settings().database_url
    engine = make_engine(url)
    try:
        with locked_connection(engine) as connection:
            context.configure(connection=connection, **context_options())
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
