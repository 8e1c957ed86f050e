"""Bring a database to the current schema and seed what every repository starts with."""
from __future__ import annotations

import logging

from flask import Flask

log = logging.getLogger(__name__)


def prepare_database(app: Flask) -> None:
    """Apply pending migrations, seed empty vocabularies and an empty synonym list; safe to run
    at every start."""
    from alembic import command

    from .synonyms import seed_synonyms
    from .vocabularies import seed_vocabularies

    with app.app_context():
        state = app.extensions["migrate"]
        config = state.migrate.get_config(directory=state.directory)
        # Alembic's own logging setup would replace the application's handlers.
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
        seed_vocabularies()
        seed_synonyms()
