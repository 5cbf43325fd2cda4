"""The orders a caller may see (RULES.md §1), as a condition of a query: the one place
the repositories turn a :class:`Reach` into SQL."""

from __future__ import annotations

from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, false, true

from models import Order
from negotiation.domain.caller import EVERY_ORDER, STORES_ORDERS, Caller, Reach

_Row = TypeVarTuple("_Row")


def within_reach(query: Select[*_Row], caller: Caller) -> Select[*_Row]:
    """Only the orders the caller may see (RULES.md §1)."""
    return query.where(reach_condition(caller.reach, store_id=Order.store_id))


def reach_condition(reach: Reach, *, store_id: Any) -> ColumnElement[bool]:
    """A reach as a condition on ``Order``, its store given by ``store_id``."""
    if reach.kind == EVERY_ORDER:
        return true()
    if reach.of is None:
        return false()
    return (store_id if reach.kind == STORES_ORDERS else Order.buyer_id) == reach.of
