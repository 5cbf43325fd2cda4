"""Accounts, their bearer tokens, and who a token belongs to."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from models import Account
from negotiation.domain.enums import SELLER_ROLES, Role
from negotiation.domain.errors import Forbidden, InvalidInput, NotFound
from negotiation.domain.negotiating import Caller
from negotiation.services.unit_of_work import UnitOfWork
from negotiation.services.views import AccountView


def hash_token(token: str) -> str:
    """Tokens are stored only as digests: a leaked table leaks no credentials."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


class KnownCallers:
    """Who recently presented which token, so most requests skip a transaction for it.

    Entries live ``ttl`` by the service's clock and the whole map is dropped when full.
    Accounts cannot change or be removed today; when they can, drop their entries there.
    """

    def __init__(self, ttl: timedelta = timedelta(seconds=60), size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._known: dict[str, tuple[datetime, Caller]] = {}

    def get(self, digest: str, now: datetime) -> Caller | None:
        hit = self._known.get(digest)
        return hit[1] if hit is not None and now < hit[0] else None

    def put(self, digest: str, caller: Caller, now: datetime) -> None:
        if len(self._known) >= self.size:
            self._known.clear()
        self._known[digest] = (now + self.ttl, caller)


def authenticate(uow: UnitOfWork, token: str, admin_token: str | None,
                 known: KnownCallers | None = None) -> Caller | None:
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Caller(role=Role.ADMIN)
    digest, now = hash_token(token), uow.clock.now()
    if known is not None and (caller := known.get(digest, now)) is not None:
        return caller
    with uow:
        account = uow.repo.account_by_token_hash(digest)
        if account is None:
            return None
        caller = Caller(role=account.role, account_id=account.id, store_id=account.store_id)
    if known is not None:
        known.put(digest, caller, now)
    return caller


def create_account(uow: UnitOfWork, caller: Caller, *, role: Role, name: str,
                   store_id: int | None = None) -> AccountView:
    """Admins create any account; an owner creates agents for its own store."""
    if caller.role is Role.OWNER:
        if role is not Role.AGENT:
            raise Forbidden("An owner may only create agent accounts.")
        if store_id not in (None, caller.store_id):
            raise NotFound(f"No store {store_id}.")
        store_id = caller.store_id
    elif caller.role is not Role.ADMIN:
        raise Forbidden("Only admins and store owners create accounts.")
    with uow:
        if role in SELLER_ROLES:
            if store_id is None:
                raise InvalidInput(f"An {role.value} account needs a store_id.", field="store_id")
            if uow.repo.store(store_id) is None:
                raise InvalidInput(f"No store {store_id}.", field="store_id")
        elif store_id is not None:
            raise InvalidInput(f"A {role.value} account belongs to no store.", field="store_id")
        token, digest = new_token()
        account = Account(role=role, name=name, store_id=store_id, token_hash=digest,
                          created_at=uow.now)
        uow.repo.add(account)
        uow.commit()
        return AccountView.of(account, token)


def describe(uow: UnitOfWork, caller: Caller) -> AccountView:
    """The caller's own account; the configured admin token has none."""
    if caller.account_id is None:
        return AccountView(None, caller.role.value, "ADMIN_TOKEN", None)
    with uow:
        account = uow.repo.account(caller.account_id)
        if account is None:
            raise NotFound("The account behind this token no longer exists.")
        return AccountView.of(account)
