"""Alembic environment: runs on the engine the caller hands over, else DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

from models import Base
from negotiation.adapters.database import build_engine

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = build_engine(os.environ["DATABASE_URL"])
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=connection.dialect.name == "sqlite",
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
