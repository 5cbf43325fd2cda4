"""Use cases on stores: create, read, revoke or restore the negotiation tool (§2.4)."""

from __future__ import annotations

from models import Store
from negotiation.domain.caller import Caller
from negotiation.domain.eligibility import is_abusive
from negotiation.domain.enums import Role
from negotiation.domain.errors import Forbidden, NotFound
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import StoreView


def create_store(uow: UnitOfWork, caller: Caller, *, name: str, region: str | None = None,
                 handling_hours: int | None = None,
                 handling_working_days: int | None = None) -> StoreView:
    if caller.role is not Role.ADMIN:
        raise Forbidden("Only admins create stores.")
    with uow:
        hours = handling_hours or int(uow.policy.handling_time.total_seconds() // 3600)
        store = Store(name=name, region=region, handling_hours=hours,
                      handling_working_days=handling_working_days,
                      negotiation_enabled=True, created_at=uow.now)
        uow.add(store)
        uow.commit()
        return StoreView.of(store, flagged=False)


def list_stores(uow: UnitOfWork, caller: Caller) -> list[StoreView]:
    """Every store, for reviewers and admins to choose one from."""
    if caller.role not in (Role.ADMIN, Role.REVIEWER):
        raise Forbidden("Only reviewers and admins list the stores.")
    with uow:
        return [_view(uow, store) for store in uow.accounts.stores()]


def find_store(uow: UnitOfWork, caller: Caller, name: str) -> StoreView | None:
    """The first store of that name, for an admin (the demo finds its store again)."""
    if caller.role is not Role.ADMIN:
        raise Forbidden("Only admins look stores up by name.")
    with uow:
        store = uow.accounts.store_named(name)
        return None if store is None else _view(uow, store)


def get_store(uow: UnitOfWork, caller: Caller, store_id: int) -> StoreView:
    with uow:
        return _view(uow, _visible_store(uow, caller, store_id))


def set_negotiation_enabled(uow: UnitOfWork, caller: Caller, store_id: int,
                            enabled: bool) -> StoreView:
    """The platform revokes a store's negotiation tool, or gives it back (§2.4)."""
    if caller.role is not Role.ADMIN:
        raise Forbidden("Only admins revoke or restore a store's negotiation tool.")
    with uow:
        store = _visible_store(uow, caller, store_id)
        store.negotiation_enabled = enabled
        uow.commit()
        return _view(uow, store)


def _visible_store(uow: UnitOfWork, caller: Caller, store_id: int) -> Store:
    store = uow.accounts.store(store_id)
    if store is None or not (caller.role in (Role.ADMIN, Role.REVIEWER)
                             or caller.store_id == store_id):
        raise NotFound(f"No store {store_id}.")
    return store


def _view(uow: UnitOfWork, store: Store) -> StoreView:
    decided = uow.orders.recent_decided_states(store.id, uow.policy.abuse_sample)
    return StoreView.of(store, flagged=is_abusive(decided, uow.policy))
