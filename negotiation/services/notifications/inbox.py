"""The web inbox (站内信, RULES.md §6): each account's notifications and what it has read.

A notification is an event already recorded, of a type :mod:`negotiation.domain.inbox`
names for the reader's role; nothing is written when it happens beyond the event itself,
so the inbox, the feed and the webhooks tell the same outcomes. Only reading writes
(a row per account and event read). Like the feed, reading the inbox settles nothing:
a lapse enters it when the sweep (or a reader of that order) records it.

The configured admin token is no account, so it has no read state and an empty inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from negotiation.adapters.inbox_repository import Notice
from negotiation.domain.caller import Caller
from negotiation.domain.enums import Role
from negotiation.domain.errors import NotFound
from negotiation.domain.inbox import inbox_of
from negotiation.services.core import pagination
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import Page

PAGE_SIZE = 50
# The header's count stops here ("99+"): past it the exact number changes nothing for
# the reader, and counting stops scanning.
UNREAD_CAP = 100


@dataclass(frozen=True)
class NoticeView:
    id: int
    type: str
    at: datetime
    order_no: str | None  # None: of no order (a key revoked, an endpoint disabled)
    data: dict[str, Any]
    read: bool

    @classmethod
    def of(cls, notice: Notice) -> NoticeView:
        event = notice.event
        return cls(event.id, event.type, event.at, notice.order_no, dict(event.data),
                   notice.read_at is not None)


@dataclass(frozen=True)
class WaitingCardView:
    """A card waiting for the buyer's answer."""

    id: int
    order_no: str
    seq: int
    proposed_ship_by: datetime
    expires_at: datetime


@dataclass(frozen=True)
class InboxView:
    notices: Page[NoticeView]
    waiting: list[WaitingCardView]  # a buyer's, on the first page; empty for others


def list_inbox(uow: UnitOfWork, caller: Caller, *, cursor: str | None = None,
               limit: int = PAGE_SIZE) -> InboxView:
    """The caller's notifications, newest first, and (for a buyer, on the first page)
    the cards waiting for its answer, the soonest to lapse first."""
    before_id = pagination.decode_id(cursor)
    if caller.account_id is None:
        return InboxView(Page([], None), [])
    inbox = inbox_of(caller.role)
    with uow:
        inboxes = uow.inbox
        rows = inboxes.notices(caller, caller.account_id, inbox, before_id=before_id,
                               limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        waiting: list[WaitingCardView] = []
        if caller.role is Role.BUYER and before_id is None:
            waiting = [WaitingCardView(card.id, order_no, card.seq, card.proposed_ship_by,
                                       card.expires_at)
                       for card, order_no in inboxes.pending_cards(caller, uow.now, limit)]
        next_cursor = pagination.encode_id(rows[-1].event.id) if more else None
        return InboxView(Page([NoticeView.of(row) for row in rows], next_cursor), waiting)


def unread_count(uow: UnitOfWork, caller: Caller) -> int:
    """How many notifications the caller has not read, up to :data:`UNREAD_CAP`."""
    if caller.account_id is None:
        return 0
    with uow:
        return uow.inbox.unread_count(
            caller, caller.account_id, inbox_of(caller.role), cap=UNREAD_CAP)


def open_notice(uow: UnitOfWork, caller: Caller, event_id: int) -> str | None:
    """Mark one notification read (again: nothing changes); the order it concerns.

    An event outside the caller's inbox is answered like one that does not exist.
    """
    missing = NotFound(f"No notification {event_id}.")
    if caller.account_id is None:
        raise missing
    inbox = inbox_of(caller.role)
    with uow:
        inboxes = uow.inbox
        found = inboxes.notice(caller, inbox, event_id)
        if found is None:
            raise missing
        inboxes.mark_read(caller, caller.account_id, inbox, uow.now, event_id=event_id)
        uow.commit()
        return found[1]


def mark_all_read(uow: UnitOfWork, caller: Caller) -> int:
    """Mark every unread notification of the caller's inbox read; how many were."""
    if caller.account_id is None:
        return 0
    with uow:
        marked = uow.inbox.mark_read(
            caller, caller.account_id, inbox_of(caller.role), uow.now)
        uow.commit()
        return marked
