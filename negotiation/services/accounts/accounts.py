"""Accounts, their API keys, and who a bearer credential belongs to."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from models import Account, ApiKey
from models.credentials import KEY_NAME_LIMIT
from negotiation.adapters.account_repository import KeyHolder
from negotiation.domain.caller import Caller
from negotiation.domain.enums import SELLER_ROLES, Role
from negotiation.domain.errors import Forbidden, InvalidInput, NotFound, Refused
from negotiation.domain.events import DomainEvent
from negotiation.services.core import pagination
from negotiation.services.core.settling import event_rows
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import AccountView, ApiKeyView, Page

# The key an account is created with, as POST /accounts answers it under ``token``.
FIRST_KEY_NAME = "default"
# How stale ``last_used_at`` may be: a steady stream of requests writes it once a minute.
LAST_USED_RESOLUTION = timedelta(seconds=60)
# The furthest ahead a key may be set to expire: an expiry past it is a typo, or a key
# meant to live for good (which is what leaving ``expires_at`` out asks for).
KEY_LIFETIME_LIMIT = timedelta(days=366)
NAME_LIMIT = KEY_NAME_LIMIT  # what a key's name may hold, for the API to check first
API_KEY_REVOKED = "api_key_revoked"
API_KEY_EXPIRED = "api_key_expired"


def hash_token(token: str) -> str:
    """Keys are stored only as digests: a leaked table leaks no credentials."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


# --- who a bearer credential belongs to --------------------------------------------------


@dataclass(frozen=True)
class Credential:
    """Who presented a bearer credential, and with which key (None: the admin token)."""

    caller: Caller
    key_id: int | None


def identify(uow: UnitOfWork, token: str, admin_token: str | None) -> Credential | None:
    """The configured admin token, or a key neither revoked nor expired.

    Every call reads the key's row, so a key revoked in any process is refused in every
    process from the next request on.
    """
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Credential(Caller(role=Role.ADMIN), None)
    with uow:
        return _credential_of(uow, uow.accounts.holder_of_key_hash(hash_token(token), uow.now))


def name_of(uow: UnitOfWork, account_id: int) -> str | None:
    """The name an account goes by on the pages ("买家 Buyer Zhang"), or None."""
    with uow:
        account = uow.accounts.account(account_id)
        return None if account is None else account.name


def authenticate(uow: UnitOfWork, token: str, admin_token: str | None) -> Caller | None:
    credential = identify(uow, token, admin_token)
    return None if credential is None else credential.caller


def caller_of_key(uow: UnitOfWork, key_id: int) -> Caller | None:
    """Who a web session signed in as, for as long as the key it signed in with is live."""
    with uow:
        credential = _credential_of(uow, uow.accounts.holder_of_key(key_id, uow.now))
        return None if credential is None else credential.caller


def _credential_of(uow: UnitOfWork, holder: KeyHolder | None) -> Credential | None:
    if holder is None:
        return None
    stale_before = uow.now - LAST_USED_RESOLUTION
    if holder.last_used_at is None or holder.last_used_at < stale_before:
        # Conditional in SQL too: of several processes that saw it stale, one writes.
        uow.accounts.note_key_use(holder.key_id, uow.now, unless_used_since=stale_before)
        uow.commit()
    caller = Caller(role=holder.role, account_id=holder.account_id, store_id=holder.store_id)
    return Credential(caller, holder.key_id)


# --- accounts ----------------------------------------------------------------------------


def create_account(uow: UnitOfWork, caller: Caller, *, role: Role, name: str,
                   store_id: int | None = None) -> AccountView:
    """Admins create any account; an owner creates agents for its own store.

    The account's token is its first key, named "default".
    """
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
            if uow.accounts.store(store_id) is None:
                raise InvalidInput(f"No store {store_id}.", field="store_id")
        elif store_id is not None:
            raise InvalidInput(f"A {role.value} account belongs to no store.", field="store_id")
        token, digest = new_token()
        account = Account(role=role, name=name, store_id=store_id, created_at=uow.now)
        uow.add(account, ApiKey(account=account, name=FIRST_KEY_NAME, key_hash=digest,
                                     created_at=uow.now))
        uow.commit()
        return AccountView.of(account, token)


def find_account(uow: UnitOfWork, caller: Caller, *, role: Role, name: str,
                 store_id: int | None = None) -> AccountView | None:
    """The first account of that role and name, for an admin (the demo finds its own)."""
    if caller.role is not Role.ADMIN:
        raise Forbidden("Only admins look accounts up by name.")
    with uow:
        account = uow.accounts.account_named(role, name, store_id)
        return None if account is None else AccountView.of(account)


def describe(uow: UnitOfWork, caller: Caller) -> AccountView:
    """The caller's own account; the configured admin token has none."""
    if caller.account_id is None:
        return AccountView(None, caller.role.value, "ADMIN_TOKEN", None)
    with uow:
        account = uow.accounts.account(caller.account_id)
        if account is None:
            raise NotFound("The account behind this token no longer exists.")
        return AccountView.of(account)


# --- api keys ----------------------------------------------------------------------------


def create_key(uow: UnitOfWork, caller: Caller, account_id: int, *, name: str,
               expires_at: datetime | None = None) -> ApiKeyView:
    """A new key for an account, shown in this answer only."""
    with uow:
        account = _account_for_keys(uow, caller, account_id)
        if expires_at is not None:
            _check_expiry(expires_at, uow.now)
        issued = _issue(uow, account.id, name, expires_at)
        uow.commit()
        return issued


def list_keys(uow: UnitOfWork, caller: Caller, account_id: int, *, limit: int,
              cursor: str | None = None) -> Page[ApiKeyView]:
    """An account's keys, revoked and expired ones too, oldest first; never the keys."""
    after_id = pagination.decode_id(cursor)
    with uow:
        _account_for_keys(uow, caller, account_id)
        keys = list(uow.accounts.keys_of(account_id, after_id=after_id, limit=limit + 1))
        more = len(keys) > limit
        keys = keys[:limit]
        next_cursor = pagination.encode_id(keys[-1].id) if more else None
        return Page([ApiKeyView.of(k) for k in keys], next_cursor)


def revoke_key(uow: UnitOfWork, caller: Caller, key_id: int) -> ApiKeyView:
    """Refused from the next request on; revoking it again changes nothing."""
    with uow:
        api_key = _key_for(uow, caller, key_id)
        if api_key.revoked_at is None:
            api_key.revoked_at = uow.now
            _tell_of_revocation(uow, caller, api_key)
            uow.commit()
        return ApiKeyView.of(api_key)


def _tell_of_revocation(uow: UnitOfWork, caller: Caller, api_key: ApiKey) -> None:
    """A tool that stops working concerns its store (or, for a reviewer's or an admin's
    key, the platform): ``api_key.revoked`` tells them which and by whom. A buyer's own
    keys concern no one else."""
    account = api_key.account
    if account.role is Role.BUYER:
        return
    uow.events.add(event_rows(None, account.store_id, [DomainEvent(
        "api_key.revoked", uow.now,
        {"key_id": api_key.id, "name": api_key.name, "account_id": account.id,
         "account_name": account.name})], caller))


def rotate_key(uow: UnitOfWork, caller: Caller, key_id: int) -> ApiKeyView:
    """A new key with the old one's name and expiry; the old one is revoked with it."""
    with uow:
        old = _key_for(uow, caller, key_id)
        if old.revoked_at is not None:
            raise Refused(f"Key {key_id} is revoked; create a new key instead.",
                          code=API_KEY_REVOKED)
        if old.expires_at is not None and old.expires_at <= uow.now:
            raise Refused(f"Key {key_id} has expired; create a new key instead.",
                          code=API_KEY_EXPIRED)
        old.revoked_at = uow.now
        issued = _issue(uow, old.account_id, old.name, old.expires_at)
        uow.commit()
        return issued


def _may_manage_keys_of(caller: Caller, account: Account) -> bool:
    """The account itself; for an agent, its store's owner too; an admin."""
    if caller.role is Role.ADMIN or caller.account_id == account.id:
        return True
    return (caller.role is Role.OWNER and account.role is Role.AGENT
            and account.store_id == caller.store_id)


def _account_for_keys(uow: UnitOfWork, caller: Caller, account_id: int) -> Account:
    account = uow.accounts.account(account_id)
    if account is None or not _may_manage_keys_of(caller, account):
        raise NotFound(f"No account {account_id}.")  # the same for another store's
    return account


def _key_for(uow: UnitOfWork, caller: Caller, key_id: int) -> ApiKey:
    """The key, locked: a revoke and a rotation of one key take turns."""
    api_key = uow.accounts.api_key(key_id, lock=True)
    if api_key is None or not _may_manage_keys_of(caller, api_key.account):
        raise NotFound(f"No key {key_id}.")
    return api_key


def _check_expiry(expires_at: datetime, now: datetime) -> None:
    if expires_at <= now:
        raise InvalidInput("expires_at must be in the future.", field="expires_at")
    if expires_at > now + KEY_LIFETIME_LIMIT:
        raise InvalidInput(f"expires_at may be at most {KEY_LIFETIME_LIMIT.days} days ahead; "
                           "leave it out for a key that does not expire.", field="expires_at")


def _issue(uow: UnitOfWork, account_id: int, name: str,
           expires_at: datetime | None) -> ApiKeyView:
    key, digest = new_token()
    api_key = ApiKey(account_id=account_id, name=name, key_hash=digest, created_at=uow.now,
                     expires_at=expires_at)
    uow.add(api_key)
    uow.flush()  # for its id
    return ApiKeyView.of(api_key, key)
