"""Bringing a database to the latest schema with the Alembic migrations."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)



@cache
def _heads() -> frozenset[str]:
    # The migration scripts are part of the installed code: read once per process.
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def is_current(engine: Engine) -> bool:
    """Whether the database is at the latest revision: one read of ``alembic_version``."""
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads()) == _heads()


def upgrade_if_behind(engine: Engine) -> None:
    """``upgrade``, without loading Alembic's environment and scripts when nothing is due."""
    if not is_current(engine):
        upgrade(engine)
