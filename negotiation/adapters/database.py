"""Engines for the embedded SQLite default and for PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
STATEMENT_BY_STATEMENT = "negotiation_statement_by_statement"


def normalise_url(url: str) -> str:
    """Accept the usual ``postgresql://`` and ``postgres://`` forms; we drive psycopg 3."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1)
                      if url.startswith("postgres://") else url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def build_engine(url: str, **options: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, **options)
        _make_sqlite_serialisable(engine)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, **options)


def _make_sqlite_serialisable(engine: Engine) -> None:
    """WAL for concurrent readers, a busy timeout, and writes that cannot interleave.

    Every transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up front,
    so two requests never both read "2 cards" and both insert a third, and a reader
    never fails halfway when it has to write a lazily applied expiry.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(STATEMENT_BY_STATEMENT):
            return  # the driver then commits each statement: a write locks only itself
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def autocommit_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose every statement commits on its own: no BEGIN, no ROLLBACK, and on
    SQLite no write lock, for a read that needs no transaction (who a key belongs to).

    SQLite's connections already run the driver without transactions of its own (we emit
    BEGIN IMMEDIATE); an isolation level set on one would be reset to the driver's
    default when it returns to the pool, so there the unit only skips that BEGIN.
    """
    options = ({STATEMENT_BY_STATEMENT: True} if is_sqlite(engine)
               else {"isolation_level": "AUTOCOMMIT"})
    return sessionmaker(engine.execution_options(**options), expire_on_commit=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
