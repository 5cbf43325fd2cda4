from datetime import timedelta

from sqlalchemy import event

from negotiation.domain.enums import Role
from negotiation.services import accounts
from negotiation.services.accounts import KnownCallers


def count_statements(rt):
    seen = []
    event.listen(rt.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_known_token_is_answered_without_touching_the_database(rt, world):
    known = KnownCallers()
    first = accounts.authenticate(rt.uow(), world.owner.token, None, known)
    statements = count_statements(rt)
    again = accounts.authenticate(rt.uow(), world.owner.token, None, known)
    assert again == first == world.owner.caller
    assert statements == []


def test_a_known_token_is_looked_up_again_once_its_time_is_up(rt, world, clock):
    known = KnownCallers(ttl=timedelta(seconds=60))
    accounts.authenticate(rt.uow(), world.owner.token, None, known)
    statements = count_statements(rt)
    clock.advance(timedelta(seconds=59, microseconds=999_999))
    accounts.authenticate(rt.uow(), world.owner.token, None, known)
    assert statements == []
    clock.advance(timedelta(microseconds=1))
    assert accounts.authenticate(rt.uow(), world.owner.token, None, known) == world.owner.caller
    assert any("accounts" in sql for sql in statements)


def test_an_unknown_token_is_never_remembered(rt, world):
    known = KnownCallers()
    assert accounts.authenticate(rt.uow(), "no-such-token", None, known) is None
    statements = count_statements(rt)
    assert accounts.authenticate(rt.uow(), "no-such-token", None, known) is None
    assert statements != []


def test_a_full_map_starts_over_rather_than_growing(rt, world):
    known = KnownCallers(size=2)
    for actor in (world.owner, world.agent, world.buyer):
        accounts.authenticate(rt.uow(), actor.token, None, known)
    statements = count_statements(rt)
    assert accounts.authenticate(rt.uow(), world.buyer.token, None, known).role is Role.BUYER
    assert statements == []
    assert accounts.authenticate(rt.uow(), world.owner.token, None, known).role is Role.OWNER
    assert statements != []
