"""Fixtures: a real database per test (SQLite file, or PostgreSQL), a frozen clock, the app.

Set ``NEGOTIATION_TEST_DATABASE_URL`` to a PostgreSQL URL to run the whole suite there;
each test then starts from empty tables of a schema migrated once per session.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import make_url
from sqlalchemy.util import LRUCache

from negotiation import create_app
from negotiation.adapters import schema
from negotiation.adapters.database import build_engine, normalise_url
from negotiation.clock import FrozenClock
from negotiation.domain.caller import Caller
from negotiation.domain.enums import OrderKind, Role
from negotiation.runtime import Runtime
from negotiation.services.accounts import accounts, stores
from negotiation.services.orders import orders
from tests.webhook_receiver import receiver  # noqa: F401  (a fixture every test may use)

POSTGRES_URL = os.environ.get("NEGOTIATION_TEST_DATABASE_URL")
START = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
ADMIN = Caller(role=Role.ADMIN)
ADMIN_TOKEN = "test-admin-token"


# The tests that take a minute or many seconds each (the contract tester's runs, the
# browser flows): collected first, so that the workers start them at once and the short
# tests fill in beside them, instead of a worker starting one last while the other idles.
LONG_TESTS = ("tests/api/test_contract.py::", "tests/browser/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_TESTS))  # stable: else as found
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="set NEGOTIATION_TEST_DATABASE_URL to a PostgreSQL URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database at the latest schema, made once: a SQLite file to copy, or PostgreSQL.

    On PostgreSQL each test session gets a database of its own, dropped at the end, so
    concurrent runs (two developers, CI) never truncate each other's tables.
    """
    if POSTGRES_URL:
        url = make_url(normalise_url(POSTGRES_URL))
        name = f"{url.database}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        server = build_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        session_url = url.set(database=name).render_as_string(hide_password=False)
        engine = build_engine(session_url)
        schema.upgrade(engine)
        engine.dispose()
        yield session_url
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = build_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()
    yield str(path)


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    if POSTGRES_URL:
        yield migrated_template
        engine = build_engine(migrated_template)
        with engine.begin() as connection:
            tables = connection.execute(text(
                "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'")).scalar()
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return
    path = tmp_path / "negotiation.sqlite3"
    shutil.copyfile(migrated_template, path)
    yield f"sqlite:///{path}"


class AlikeSQLiteDialect(SQLiteDialect_pysqlite):
    """The dialect of the tests' apps' SQLite engines, all equal, so that they share one
    cache of compiled statements.

    SQLAlchemy caches a statement's compiled SQL per engine, keyed by its dialect object;
    with an engine per test, every test compiled again every statement it ran, which was
    about 40 % of what a typical test cost. These engines are built alike (``build_engine``
    with no options, one driver, one SQLite library), so they would compile every
    statement alike: an equal dialect and one cache let a test compile only what no
    earlier test of its process ran. The cache holds SQL text and how to bind and read
    it, never parameters, rows or settings.
    """

    supports_statement_cache = True

    def __eq__(self, other: object) -> bool:
        return type(other) is AlikeSQLiteDialect

    def __hash__(self) -> int:
        return hash(AlikeSQLiteDialect)


# A process of the suite compiles some hundreds of distinct statements.
COMPILED_SQL: LRUCache[Any, Any] = LRUCache(2000)


def engine_sharing_compiled_sql(url: str, **options: Any) -> Engine:
    """``build_engine``; an SQLite engine built with no options shares compiled SQL."""
    engine = build_engine(url, **options)
    if type(engine.dialect) is SQLiteDialect_pysqlite and not options:
        engine.dialect.__class__ = AlikeSQLiteDialect
        engine.update_execution_options(compiled_cache=COMPILED_SQL)
    return engine


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def policy() -> dict[str, Any]:
    """The app's policy settings: the defaults, unless a test parametrizes ``policy``."""
    return {}


@pytest.fixture
def settings() -> dict[str, Any]:
    """More app settings, for a test that parametrizes or overrides ``settings``."""
    return {}


@pytest.fixture
def app(database_url: str, clock: FrozenClock, tmp_path: Path,
        policy: dict[str, Any], settings: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The app on the test's database and clock, with evidence under its ``tmp_path``."""
    # Its engine (and that of any app the test builds) shares compiled SQL with the
    # other tests' engines of this process.
    monkeypatch.setattr("negotiation.app.build_engine", engine_sharing_compiled_sql)
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "SECRET_KEY": "test-secret",
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "POLICY": policy,
        "RATELIMIT_ENABLED": False,  # tests of the limits build apps that turn them on
        # The tests' webhook receivers listen on 127.0.0.1 (API.md: tests set it).
        "WEBHOOK_ALLOW_PRIVATE_URLS": True,
        **settings,
    }, clock=clock)
    yield app
    app.extensions["negotiation"].engine.dispose()


@pytest.fixture
def rt(app: Any) -> Runtime:
    return app.extensions["negotiation"]


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


@dataclass
class Actor:
    """A caller with its token, for service calls and HTTP calls alike."""

    caller: Caller
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def id(self) -> int:
        assert self.caller.account_id is not None
        return self.caller.account_id


@dataclass
class World:
    """A store with an owner, an agent, a buyer, a reviewer, and a way to add orders."""

    rt: Runtime
    store_id: int
    owner: Actor
    agent: Actor
    buyer: Actor
    reviewer: Actor
    admin_headers: dict[str, str]

    def actor(self, role: Role, name: str, store_id: int | None = None) -> Actor:
        view = accounts.create_account(self.rt.uow(), ADMIN, role=role, name=name,
                                       store_id=store_id)
        assert view.token is not None and view.id is not None
        return Actor(Caller(role=role, account_id=view.id, store_id=view.store_id), view.token)

    def order(self, order_no: str = "O-1", *, ship_by: datetime | None = None,
              paid_at: datetime | None = None, kind: OrderKind = OrderKind.PHYSICAL,
              buyer: Actor | None = None, store_id: int | None = None) -> str:
        now = self.rt.clock.now()
        orders.create_order(
            self.rt.uow(), ADMIN, order_no=order_no, store_id=store_id or self.store_id,
            buyer_id=(buyer or self.buyer).id, amount=Decimal("100.00"),
            paid_at=paid_at or now - timedelta(hours=1), kind=kind,
            ship_by=ship_by or now + timedelta(hours=47))
        return order_no


@pytest.fixture
def world(rt: Runtime) -> World:
    store = stores.create_store(rt.uow(), ADMIN, name="Test store", region="Zhejiang")
    w = World(rt, store.id, None, None, None, None, {"Authorization": f"Bearer {ADMIN_TOKEN}"})  # type: ignore[arg-type]
    w.owner = w.actor(Role.OWNER, "owner", store.id)
    w.agent = w.actor(Role.AGENT, "agent", store.id)
    w.buyer = w.actor(Role.BUYER, "buyer")
    w.reviewer = w.actor(Role.REVIEWER, "reviewer")
    return w
