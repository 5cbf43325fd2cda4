"""Stores, their accounts, and the API keys the accounts sign in with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Select,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, joinedload

from models import (
    Account,
    ApiKey,
    Store,
)
from negotiation.domain.enums import Role


class KeyHolder(NamedTuple):
    """What a request's key says about its caller, read in one indexed statement."""

    key_id: int
    last_used_at: datetime | None
    account_id: int
    role: Role
    store_id: int | None


_LIVE_KEY_HOLDER = (
    select(ApiKey.id, ApiKey.last_used_at, Account.id, Account.role, Account.store_id)
    .join(Account, Account.id == ApiKey.account_id)
    .where(ApiKey.revoked_at.is_(None),
           or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > bindparam("now"))))
_HOLDER_OF_KEY_HASH = _LIVE_KEY_HOLDER.where(ApiKey.key_hash == bindparam("key_hash"))
_HOLDER_OF_KEY = _LIVE_KEY_HOLDER.where(ApiKey.id == bindparam("key_id"))


class AccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- stores and accounts -----------------------------------------------------------

    def store(self, store_id: int) -> Store | None:
        return self.session.get(Store, store_id)

    def stores(self) -> Sequence[Store]:
        return self.session.scalars(select(Store).order_by(Store.id)).all()

    def store_named(self, name: str) -> Store | None:
        """The first store of that name (names are not unique)."""
        return self.session.scalars(
            select(Store).where(Store.name == name).order_by(Store.id).limit(1)).first()

    def account(self, account_id: int) -> Account | None:
        return self.session.get(Account, account_id)

    def account_named(self, role: Role, name: str, store_id: int | None) -> Account | None:
        """The first account of that role and name, of ``store_id`` (None: of no store)."""
        store = (Account.store_id.is_(None) if store_id is None
                 else Account.store_id == store_id)
        return self.session.scalars(
            select(Account).where(Account.role == role, Account.name == name, store)
            .order_by(Account.id).limit(1)).first()

    # --- api keys ----------------------------------------------------------------------

    def holder_of_key_hash(self, key_hash: str, now: datetime) -> KeyHolder | None:
        """The account behind a key presented as a bearer credential, if the key is live."""
        return self._key_holder(_HOLDER_OF_KEY_HASH, {"key_hash": key_hash, "now": now})

    def holder_of_key(self, key_id: int, now: datetime) -> KeyHolder | None:
        """The account behind a key a web session signed in with, if the key is live."""
        return self._key_holder(_HOLDER_OF_KEY, {"key_id": key_id, "now": now})

    def _key_holder(self, query: Select[*tuple[Any, ...]],
                    values: dict[str, Any]) -> KeyHolder | None:
        # Every request runs this: a statement built once, sent on the session's
        # connection without the ORM's execution layer (it loads no objects).
        row = self.session.connection().execute(query, values).first()
        return None if row is None else KeyHolder(*row)

    def note_key_use(self, key_id: int, now: datetime, *, unless_used_since: datetime) -> None:
        """Stamp ``last_used_at``, unless a request (in any process) did since the bound."""
        self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, or_(ApiKey.last_used_at.is_(None),
                                            ApiKey.last_used_at < unless_used_since))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False))

    def api_key(self, key_id: int, *, lock: bool = False) -> ApiKey | None:
        """One key with its account; ``lock`` holds the key's row until commit."""
        query = (select(ApiKey).where(ApiKey.id == key_id)
                 .options(joinedload(ApiKey.account, innerjoin=True)))
        if lock:
            query = query.with_for_update(of=ApiKey)
        return self.session.scalars(query).first()

    def keys_of(self, account_id: int, *, after_id: int | None,
                limit: int) -> Sequence[ApiKey]:
        query = (select(ApiKey).where(ApiKey.account_id == account_id)
                 .order_by(ApiKey.id).limit(limit))
        if after_id is not None:
            query = query.where(ApiKey.id > after_id)
        return self.session.scalars(query).all()
