"""The Alembic migrations build exactly the schema the models declare, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, Integer, MetaData, inspect, text

from models import Base
from negotiation import create_app
from negotiation.adapters import schema
from negotiation.adapters.database import build_engine
from tests.integration.support import empty_postgres_schema


def schema_differences(engine: Engine, metadata: MetaData = Base.metadata) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "compare_server_default": True})
        return compare_metadata(context, metadata)


def head() -> str | None:
    return ScriptDirectory.from_config(schema.alembic_config()).get_current_head()


def revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    with empty_postgres_schema("migcheck") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"fresh_{request.param}")


def test_a_freshly_migrated_database_has_exactly_the_models_schema(fresh_url):
    engine = build_engine(fresh_url)
    try:
        assert inspect(engine).get_table_names() == []
        schema.upgrade(engine)
        assert revision(engine) == head()
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


def test_the_schema_comparison_notices_a_table_the_migrations_lack(fresh_url):
    engine = build_engine(fresh_url)
    try:
        schema.upgrade(engine)
        wider = MetaData(naming_convention=Base.metadata.naming_convention)
        for table in Base.metadata.tables.values():
            table.to_metadata(wider)
        from sqlalchemy import Table

        Table("not_migrated", wider, Column("id", Integer, primary_key=True))
        differences = schema_differences(engine, wider)
        assert [d[0] for d in differences] == ["add_table"]  # type: ignore[index]
    finally:
        engine.dispose()


def test_the_card_guards_exist_in_the_migrated_database(fresh_url):
    """One pending card and unique card numbers per negotiation, as partial/unique indexes."""
    engine = build_engine(fresh_url)
    try:
        schema.upgrade(engine)
        inspector = inspect(engine)
        indexes = {ix["name"]: ix for ix in inspector.get_indexes("cards")}
        one_pending = indexes["uq_cards_one_pending"]
        assert one_pending["unique"] and one_pending["column_names"] == ["negotiation_id"]
        where = next(v for k, v in one_pending["dialect_options"].items()
                     if k.endswith("_where"))
        assert "pending" in str(where)
        assert {"name": "uq_cards_negotiation_id", "column_names": ["negotiation_id", "seq"]
                }.items() <= inspector.get_unique_constraints("cards")[0].items()
    finally:
        engine.dispose()


def test_the_migrations_downgrade_to_nothing_and_upgrade_again(fresh_url):
    engine = build_engine(fresh_url)
    try:
        schema.upgrade(engine)
        command.downgrade(schema.alembic_config(engine), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        schema.upgrade(engine)
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


# --- the db-upgrade command ----------------------------------------------------------------


def invoke_upgrade(app) -> str:
    result = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert result.exit_code == 0, result.output
    return result.output


def test_db_upgrade_creates_the_schema_and_is_idempotent(fresh_url):
    app = create_app({"TESTING": True, "DATABASE_URL": fresh_url, "SECRET_KEY": "x"})
    engine = app.extensions["negotiation"].engine
    try:
        if engine.dialect.name == "sqlite":  # the embedded default migrates at start
            command.downgrade(schema.alembic_config(engine), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert "latest schema" in invoke_upgrade(app)
        assert revision(engine) == head()
        assert schema_differences(engine) == []
        assert "latest schema" in invoke_upgrade(app)
        assert revision(engine) == head()
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


def test_db_upgrade_on_the_suites_database_changes_nothing(app, runner, world):
    world.order("O-1")
    result = runner.invoke(args=["db-upgrade"])
    assert result.exit_code == 0, result.output
    engine = app.extensions["negotiation"].engine
    assert revision(engine) == head()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM orders")).scalar() == 1
