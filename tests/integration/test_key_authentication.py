"""Authenticating a key: one indexed read per request, a last-use stamp at most once a
minute, one outcome when a key is rotated and revoked at once, and the tokens of accounts
made before keys existed still let them in."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, bindparam, event, inspect, text

from models.base import UTCDateTime
from negotiation import create_app
from negotiation.adapters import schema
from negotiation.adapters.database import build_engine
from negotiation.domain.caller import Caller
from negotiation.domain.enums import Role
from negotiation.domain.errors import Refused
from negotiation.services.accounts import accounts
from tests.conftest import ADMIN_TOKEN, START
from tests.integration.support import empty_postgres_schema
from tests.integration.test_concurrency import wait_until_blocked


def statements_on(engine: Engine) -> list[str]:
    """Every statement sent from now on, BEGIN and COMMIT aside."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *args: object) -> None:
        if statement.split()[0].upper() in ("SELECT", "UPDATE", "INSERT", "DELETE"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen


def key_of(rt, actor) -> int:
    with rt.engine.connect() as connection:
        return connection.execute(text("SELECT id FROM api_keys WHERE account_id = :id"),
                                  {"id": actor.id}).scalar_one()


def last_used(rt, key_id: int):
    with rt.uow() as uow:
        api_key = uow.accounts.api_key(key_id)
        assert api_key is not None
        return api_key.last_used_at


def test_a_recently_used_key_costs_one_select_and_no_write(rt, world):
    accounts.authenticate(rt.uow(), world.owner.token, None)
    sent = statements_on(rt.engine)
    assert accounts.authenticate(rt.uow(), world.owner.token, None) == world.owner.caller
    assert len(sent) == 1 and sent[0].startswith("SELECT"), sent
    assert "api_keys" in sent[0] and "key_hash" in sent[0]


def test_a_key_not_used_for_a_minute_is_stamped_once(rt, world, clock):
    sent = statements_on(rt.engine)
    accounts.authenticate(rt.uow(), world.owner.token, None)
    assert [s.split()[0] for s in sent] == ["SELECT", "UPDATE"]
    assert last_used(rt, key_of(rt, world.owner)) == START
    sent.clear()
    clock.advance(timedelta(seconds=60))
    accounts.authenticate(rt.uow(), world.owner.token, None)
    assert [s.split()[0] for s in sent] == ["SELECT"]
    clock.advance(timedelta(microseconds=1))
    accounts.authenticate(rt.uow(), world.owner.token, None)
    assert [s.split()[0] for s in sent] == ["SELECT", "SELECT", "UPDATE"]
    assert last_used(rt, key_of(rt, world.owner)) == START + timedelta(seconds=60,
                                                                       microseconds=1)


def test_the_stamp_is_conditional_so_a_process_that_saw_it_stale_writes_nothing(
        rt, world, clock):
    key_id = key_of(rt, world.owner)
    accounts.authenticate(rt.uow(), world.owner.token, None)  # another process, just now
    clock.advance(timedelta(seconds=5))
    with rt.uow() as uow:  # a process that read the key before that stamp, and writes now
        uow.accounts.note_key_use(key_id, uow.now,
                                  unless_used_since=uow.now - timedelta(seconds=60))
        uow.commit()
    assert last_used(rt, key_id) == START


def test_the_admin_token_needs_no_database(rt, world):
    sent = statements_on(rt.engine)
    assert accounts.authenticate(rt.uow(), ADMIN_TOKEN, ADMIN_TOKEN) == Caller(role=Role.ADMIN)
    assert sent == []


def test_an_unknown_key_is_nobody_and_writes_nothing(rt, world):
    sent = statements_on(rt.engine)
    assert accounts.authenticate(rt.uow(), "no-such-key", ADMIN_TOKEN) is None
    assert [s.split()[0] for s in sent] == ["SELECT"]


def test_a_web_session_key_answers_its_account_as_it_is_now_until_revoked(rt, world):
    key_id = key_of(rt, world.agent)
    assert accounts.caller_of_key(rt.uow(), key_id) == world.agent.caller
    accounts.revoke_key(rt.uow(), world.owner.caller, key_id)
    assert accounts.caller_of_key(rt.uow(), key_id) is None
    assert accounts.caller_of_key(rt.uow(), 2_000_000) is None


def test_a_web_session_key_ends_at_its_expiry(rt, world, clock):
    issued = accounts.create_key(rt.uow(), world.buyer.caller, world.buyer.id, name="web",
                                 expires_at=START + timedelta(hours=1))
    clock.set(START + timedelta(hours=1) - timedelta(seconds=1))
    assert accounts.caller_of_key(rt.uow(), issued.id) == world.buyer.caller
    clock.set(START + timedelta(hours=1))
    assert accounts.caller_of_key(rt.uow(), issued.id) is None


@pytest.mark.postgres
def test_a_rotation_queued_behind_a_revocation_is_refused_not_a_second_live_key(rt, world):
    key_id = key_of(rt, world.owner)
    outcome: list[object] = []

    def rotation() -> None:
        try:
            outcome.append(accounts.rotate_key(rt.uow(), world.owner.caller, key_id))
        except Refused as refused:
            outcome.append(refused)

    thread = threading.Thread(target=rotation)
    try:
        with rt.uow() as uow:  # a revocation that holds the key's row, as revoke_key does
            api_key = uow.accounts.api_key(key_id, lock=True)
            assert api_key is not None
            api_key.revoked_at = uow.now
            uow.flush()
            thread.start()
            wait_until_blocked(rt)
            uow.commit()
    finally:
        thread.join(30)
    (refused,) = outcome
    assert isinstance(refused, Refused) and refused.code == "api_key_revoked", refused
    assert [k.revoked_at is None for k in accounts.list_keys(
        rt.uow(), world.owner.caller, world.owner.id, limit=5).items] == [False]


# --- tokens issued before keys --------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before-keys.sqlite3'}"
        return
    with empty_postgres_schema("keycheck") as url:
        yield url


TOKEN = "a-token-issued-before-keys-existed"

BEFORE_KEYS = [
    "INSERT INTO stores (id, name, handling_hours, negotiation_enabled, created_at) "
    "VALUES (1, 'Old store', 48, true, :at)",
    "INSERT INTO accounts (id, role, name, store_id, token_hash, created_at) "
    "VALUES (1, 'owner', 'Old owner', 1, :digest, :at), "
    "(2, 'buyer', 'Old buyer', NULL, :other, :at)",
    "INSERT INTO orders (id, order_no, store_id, buyer_id, amount, kind, ship_mode, status, "
    "paid_at, original_ship_by, ship_by, ship_by_source, created_at) "
    "VALUES (1, 'OLD-1', 1, 2, 10, 'physical', 'normal', 'awaiting_shipment', :at, :at, :at, "
    "'original', :at)",
    "INSERT INTO negotiations (id, order_id, state) VALUES (1, 1, 'open')",
]


def test_a_token_from_before_keys_still_works_after_the_migration(empty_database, clock):
    engine = build_engine(empty_database)
    try:
        schema.upgrade(engine, "0005")
        with engine.begin() as connection:
            for statement in BEFORE_KEYS:
                query = text(statement)
                if ":at" in statement:  # an instant in each database's own form
                    query = query.bindparams(bindparam("at", type_=UTCDateTime()))
                connection.execute(query, {
                    "at": START, "digest": hashlib.sha256(TOKEN.encode()).hexdigest(),
                    "other": hashlib.sha256(b"another token").hexdigest()})
        schema.upgrade(engine)
        assert "token_hash" not in {c["name"] for c in inspect(engine).get_columns("accounts")}
        with engine.connect() as connection:  # the rows pointing at accounts survived
            assert connection.execute(text("SELECT buyer_id FROM orders")).scalar() == 2
    finally:
        engine.dispose()

    app = create_app({"TESTING": True, "DATABASE_URL": empty_database,
                      "SECRET_KEY": "test-secret"}, clock=clock)
    try:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {TOKEN}"}
        me = client.get("/api/v1/accounts/me", headers=headers)
        assert me.status_code == 200, me.get_json()
        assert (me.get_json()["id"], me.get_json()["role"]) == (1, "owner")
        listed = client.get("/api/v1/accounts/1/keys", headers=headers).get_json()["items"]
        assert [(k["name"], k["created_at"]) for k in listed] == [
            ("default", "2026-11-22T00:00:00Z")]
        order = client.get("/api/v1/orders/OLD-1", headers=headers)
        assert order.status_code == 200, order.get_json()
    finally:
        app.extensions["negotiation"].engine.dispose()


def test_downgrading_gives_each_account_back_a_token_it_may_still_use(empty_database, clock):
    engine = build_engine(empty_database)
    try:
        schema.upgrade(engine)
        rt_app = create_app({"TESTING": True, "DATABASE_URL": empty_database,
                             "SECRET_KEY": "test-secret"}, clock=clock)
        rt = rt_app.extensions["negotiation"]
        admin = Caller(role=Role.ADMIN)
        kept = accounts.create_account(rt.uow(), admin, role=Role.BUYER, name="kept")
        cut_off = accounts.create_account(rt.uow(), admin, role=Role.BUYER, name="cut off")
        assert kept.id is not None and cut_off.id is not None
        accounts.create_key(rt.uow(), admin, kept.id, name="expiring",
                            expires_at=START + timedelta(days=1))
        (cut_off_key,) = accounts.list_keys(rt.uow(), admin, cut_off.id, limit=5).items
        accounts.revoke_key(rt.uow(), admin, cut_off_key.id)
        rt.engine.dispose()

        command.downgrade(schema.alembic_config(engine), "0005")
        with engine.connect() as connection:
            tokens = dict(connection.execute(text("SELECT id, token_hash FROM accounts")).all())
        assert tokens[kept.id] == hashlib.sha256(str(kept.token).encode()).hexdigest()
        assert len(tokens[cut_off.id]) <= 64
        assert tokens[cut_off.id] != hashlib.sha256(str(cut_off.token).encode()).hexdigest()
        assert "api_keys" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
