"""The change feed: every event a caller may see, across orders, for pollers to follow.

A reader polls with the last cursor it got and receives each event once. The position
is (transaction, id), not the event id alone, and the repository serves only events of
transactions that nothing still running precedes: on PostgreSQL ids are taken in one
order and committed in another, and a reader past id 11 must still get the 10 that
committed after it. So the feed always answers a cursor, also on an empty page: the
poller goes on from there.

Unlike an order's timeline, the feed settles nothing: an expiry nobody has looked at yet
enters it when the sweep (or a reader of that order) records it, stamped with the instant
it took effect. Items are in the order they were recorded; ``at`` says when each happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from negotiation.domain import audience
from negotiation.domain.caller import Caller
from negotiation.domain.enums import Role
from negotiation.domain.errors import InvalidInput, NotFound
from negotiation.domain.event_types import EventTypes
from negotiation.services.core import pagination
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import EventView, Page

# Before every event: the transaction and the id of an event are never below 0 and 1.
START = (0, 0)


def list_feed(uow: UnitOfWork, caller: Caller, *, limit: int, after: str | None = None,
              types: Sequence[str] = (), order_no: str | None = None) -> Page[EventView]:
    """The events after ``after`` the caller may see, oldest first, and where to go on.

    ``types`` are exact types or families (``card.*``); an ``order_no`` the caller may not
    see names no events, exactly like one that does not exist.
    """
    position = decode_after(after)
    with uow:
        rows = uow.events.feed(caller, after=position, limit=limit, types=EventTypes.parse(types),
                             order_no=order_no, audience=_audience_of(caller))
        items = [EventView.of(event, number) for event, number in rows]
        if rows:
            position = (rows[-1][0].txid, rows[-1][0].id)
        return Page(items, pagination.encode(list(position)))


def get_feed_event(uow: UnitOfWork, caller: Caller, event_id: int) -> EventView:
    with uow:
        found = uow.events.feed_event(caller, event_id, audience=_audience_of(caller))
        if found is None:
            raise NotFound(f"No event {event_id}.")
        event, order_no = found
        return EventView.of(event, order_no)


def decode_after(after: str | None) -> tuple[int, int]:
    """The (transaction, id) a cursor stands for; the start when there is none."""
    try:
        position = pagination.decode(after)
    except InvalidInput:
        raise _forged() from None
    if position is None:
        return START
    if len(position) != 2 or not all(_is_position_part(part) for part in position):
        raise _forged()
    txid, event_id = position
    if event_id == 0 and txid != 0:  # only the start has no event under it
        raise _forged()
    return txid, event_id


def _is_position_part(value: Any) -> bool:
    return type(value) is int and 0 <= value <= pagination.MAX_ID


def _forged() -> InvalidInput:
    return InvalidInput("after is not a cursor this service issued.", field="after")


def _audience_of(caller: Caller) -> audience.Audience | None:
    """A buyer sees its orders' events but the store's internal ones; sellers, reviewers
    and admins see every event of the orders within their reach."""
    return audience.BUYERS if caller.role is Role.BUYER else None
