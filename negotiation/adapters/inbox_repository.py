"""The web inbox's queries: an account's notifications, what it has read, and a buyer's
cards waiting for an answer.

Which events a caller may see is the change feed's rule (:func:`visible_events`), so
the inbox can never show what the feed would not; the inbox only narrows it to the
notification types of the reader's role and adds the account's read state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import Card, Event, InboxRead, Negotiation, Order
from models.base import UTCDateTime
from negotiation.adapters.event_repository import visible_events
from negotiation.adapters.reach import within_reach
from negotiation.domain.caller import Caller
from negotiation.domain.enums import CardState
from negotiation.domain.inbox import Inbox


class Notice(NamedTuple):
    event: Event
    order_no: str | None  # None for an event of no order
    read_at: datetime | None  # None while unread


class InboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def notices(self, caller: Caller, account_id: int, inbox: Inbox, *,
                before_id: int | None, limit: int) -> list[Notice]:
        """The newest notifications first (by id: the order they were recorded in), each
        with when this account read it, in one statement."""
        read = and_(InboxRead.event_id == Event.id, InboxRead.account_id == account_id)
        query = (_notices(caller, inbox).outerjoin(InboxRead, read)
                 .add_columns(InboxRead.read_at).order_by(Event.id.desc()).limit(limit))
        if before_id is not None:
            query = query.where(Event.id < before_id)
        return [Notice(event, order_no, read_at)
                for event, order_no, read_at in self.session.execute(query)]

    def unread_count(self, caller: Caller, account_id: int, inbox: Inbox, *, cap: int) -> int:
        """How many notifications this account has not read, counted up to ``cap``: the
        header says "99+" beyond that, and the count stops scanning there."""
        unread = (_notices(caller, inbox).where(~_read_by(account_id))
                  .with_only_columns(Event.id).order_by(None).limit(cap))
        return self.session.scalar(select(func.count()).select_from(unread.subquery())) or 0

    def notice(self, caller: Caller, inbox: Inbox,
               event_id: int) -> tuple[Event, str | None] | None:
        """One notification, if it is in this caller's inbox."""
        row = self.session.execute(_notices(caller, inbox).where(Event.id == event_id)).first()
        return None if row is None else (row[0], row[1])

    def mark_read(self, caller: Caller, account_id: int, inbox: Inbox, now: datetime, *,
                  event_id: int | None = None) -> int:
        """Mark read, in one INSERT ... SELECT, the unread notifications of the inbox (or
        only ``event_id`` among them); how many were marked.

        ``NOT EXISTS`` leaves the ones already read alone, so a repeat marks nothing; the
        conflict clause covers two marks of the same row racing on PostgreSQL, where both
        may pass ``NOT EXISTS`` before either commits.
        """
        unread = _notices(caller, inbox).where(~_read_by(account_id))
        if event_id is not None:
            unread = unread.where(Event.id == event_id)
        rows = unread.with_only_columns(literal(account_id), Event.id,
                                        literal(now, UTCDateTime())).order_by(None)
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # An INSERT's rowcount is kept only when asked for (psycopg otherwise reports -1).
        result: Any = self.session.execute(
            insert(InboxRead).from_select(["account_id", "event_id", "read_at"], rows)
            .on_conflict_do_nothing().execution_options(preserve_rowcount=True))
        return int(result.rowcount)

    def pending_cards(self, caller: Caller, now: datetime,
                      limit: int) -> Sequence[tuple[Card, str]]:
        """Cards on the caller's orders still open for an answer, the soonest to lapse
        first. A card past ``expires_at`` has lapsed even before anything records it."""
        query = (select(Card, Order.order_no)
                 .join(Negotiation, Negotiation.id == Card.negotiation_id)
                 .join(Order, Order.id == Negotiation.order_id)
                 .where(Card.state == CardState.PENDING, Card.expires_at > now)
                 .order_by(Card.expires_at, Card.id).limit(limit))
        return [(card, order_no)
                for card, order_no in self.session.execute(within_reach(query, caller))]


def _notices(caller: Caller, inbox: Inbox) -> Select[Event, str]:
    """The events of the inbox: those the caller may see, of its notification types."""
    query = (visible_events(caller, inbox.audience)
             .where(Event.type.in_(sorted(inbox.types))))
    return query.where(Event.store_id.is_(None)) if inbox.platform_only else query


def _read_by(account_id: int) -> ColumnElement[bool]:
    return exists().where(InboxRead.account_id == account_id, InboxRead.event_id == Event.id)
