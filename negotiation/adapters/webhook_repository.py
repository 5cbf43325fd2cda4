"""The queries of webhook endpoints and their deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    delete,
    exists,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from models import (
    Event,
    Order,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSecret,
)
from models.base import UTCDateTime
from negotiation.adapters.database import rows_changed
from negotiation.adapters.event_repository import events_of_types
from negotiation.domain.event_types import EventTypes

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class Held(NamedTuple):
    """A delivery as a worker takes it and records its outcome."""

    id: int
    endpoint_id: int
    event_id: int
    attempts: int
    failures: int


_HELD = (WebhookDelivery.id, WebhookDelivery.endpoint_id, WebhookDelivery.event_id,
         WebhookDelivery.attempts, WebhookDelivery.failures)
_DELIVERIES = WebhookDelivery.__table__
# A turn's deliveries, leased under one token.
_LEASE = (update(_DELIVERIES).where(_DELIVERIES.c.id.in_(bindparam("ids", expanding=True)))
          .values(lease_token=bindparam("token"), next_attempt_at=bindparam("until")))
# Each row its own parameters (an executemany).
_SETTLE = (update(_DELIVERIES).where(_DELIVERIES.c.id == bindparam("b_id"))
           .values(state=bindparam("b_state"), attempts=bindparam("b_attempts"),
                   failures=bindparam("b_failures"), next_attempt_at=bindparam("b_next"),
                   lease_token=None))
# The statements a worker sends for every batch, built once: building one costs about as
# much CPU as sending it. Lists go in expanding parameters.
_DUE = (select(*_HELD)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.state == PENDING,
               WebhookDelivery.next_attempt_at <= bindparam("now"),
               WebhookEndpoint.enabled.is_(True),
               WebhookDelivery.endpoint_id.not_in(bindparam("busy", expanding=True)))
        .order_by(WebhookDelivery.next_attempt_at).limit(bindparam("limit"))
        .with_for_update(of=WebhookDelivery))
_DUE_SKIPPING_LOCKED = _DUE.with_for_update(of=WebhookDelivery, skip_locked=True)
_FEED_ROWS = (select(Event.id, Order.order_no, Event.at, Event.actor, Event.type, Event.data)
              .outerjoin(Order, Order.id == Event.order_id)
              .where(Event.id.in_(bindparam("ids", expanding=True))))
_SIGNING = (select(WebhookEndpoint.id, WebhookEndpoint.url, WebhookSecret.sealed)
            .outerjoin(WebhookSecret, and_(
                WebhookSecret.endpoint_id == WebhookEndpoint.id,
                or_(WebhookSecret.retires_at.is_(None),
                    WebhookSecret.retires_at > bindparam("now"))))
            .where(WebhookEndpoint.id.in_(bindparam("ids", expanding=True)))
            .order_by(WebhookSecret.id))
_LEASED = (select(*_HELD, WebhookDelivery.lease_token)
           .where(WebhookDelivery.id.in_(bindparam("ids", expanding=True))).with_for_update())


class WebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- endpoints ---------------------------------------------------------------------

    def endpoint(self, endpoint_id: int, *, lock: bool = False) -> WebhookEndpoint | None:
        """One endpoint; ``lock`` holds it until commit, so two changes to it (the
        owner's, a worker disabling it) never interleave."""
        query = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id,
                                              WebhookEndpoint.deleted_at.is_(None))
        if lock:
            query = query.with_for_update(of=WebhookEndpoint)
        return self.session.scalars(query).first()

    def purge_deleted(self, before: datetime) -> int:
        """Remove the endpoints deleted before ``before``, with their secrets, deliveries
        and attempts (the foreign keys cascade)."""
        return rows_changed(self.session.execute(
            delete(WebhookEndpoint).where(WebhookEndpoint.deleted_at < before)
            .execution_options(synchronize_session=False)))

    def endpoints(self, store_id: int | None, *, after_id: int | None,
                  limit: int) -> Sequence[WebhookEndpoint]:
        """A store's endpoints, or the platform's (``store_id`` None), oldest first."""
        query = (select(WebhookEndpoint)
                 .where(_of_store(store_id), WebhookEndpoint.deleted_at.is_(None))
                 .order_by(WebhookEndpoint.id).limit(limit))
        if after_id is not None:
            query = query.where(WebhookEndpoint.id > after_id)
        return self.session.scalars(query).all()

    # --- deliveries, as their owner reads and requeues them ----------------------------

    def delivery(self, endpoint_id: int, delivery_id: int, *,
                 lock: bool = False) -> WebhookDelivery | None:
        query = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                              WebhookDelivery.endpoint_id == endpoint_id)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def deliveries(self, endpoint_id: int, *, before_id: int | None, limit: int,
                   state: str | None = None, event_id: int | None = None
                   ) -> Sequence[tuple[WebhookDelivery, str]]:
        """An endpoint's deliveries, newest first, with their events' types."""
        query = (select(WebhookDelivery, Event.type)
                 .join(Event, Event.id == WebhookDelivery.event_id)
                 .where(WebhookDelivery.endpoint_id == endpoint_id)
                 .order_by(WebhookDelivery.id.desc()).limit(limit))
        if before_id is not None:
            query = query.where(WebhookDelivery.id < before_id)
        if state is not None:
            query = query.where(WebhookDelivery.state == state)
        if event_id is not None:
            query = query.where(WebhookDelivery.event_id == event_id)
        return [(delivery, event_type) for delivery, event_type in self.session.execute(query)]

    def event_type(self, event_id: int) -> str:
        return self.session.scalars(select(Event.type).where(Event.id == event_id)).one()

    def attempts_of(self, delivery_ids: Sequence[int]) -> dict[int, list[WebhookAttempt]]:
        """Every attempt at these deliveries, in order, in one query."""
        found: dict[int, list[WebhookAttempt]] = {i: [] for i in delivery_ids}
        if delivery_ids:
            for attempt in self.session.scalars(
                    select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids))
                    .order_by(WebhookAttempt.delivery_id, WebhookAttempt.number)):
                found[attempt.delivery_id].append(attempt)
        return found

    def requeue_since(self, endpoint: WebhookEndpoint, since: datetime, now: datetime) -> int:
        """Owe the endpoint again every event since ``since`` it subscribes to and may
        see, as if new: those it was sent already are requeued, the others (events from
        before it subscribed, or while it was disabled) are added. Returns how many."""
        wanted = and_(Event.at >= since, events_of_types(EventTypes.parse(endpoint.event_types)),
                      true() if endpoint.store_id is None
                      else Event.store_id == endpoint.store_id)
        requeued = rows_changed(self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id,
                   WebhookDelivery.event_id.in_(select(Event.id).where(wanted)))
            .values(state=PENDING, failures=0, next_attempt_at=now, lease_token=None)
            .execution_options(synchronize_session=False)))
        owed = exists().where(WebhookDelivery.endpoint_id == endpoint.id,
                              WebhookDelivery.event_id == Event.id)
        instant = literal(now, UTCDateTime())
        added = len(self.session.execute(insert(WebhookDelivery).from_select(
            ["endpoint_id", "event_id", "state", "attempts", "failures", "next_attempt_at",
             "created_at"],
            select(literal(endpoint.id), Event.id, literal(PENDING), literal(0), literal(0),
                   instant, instant).where(wanted, ~owed))
            .returning(WebhookDelivery.id)).all())  # an INSERT's rowcount is not kept
        return requeued + added

    # --- deliveries, as workers take them and record their outcomes --------------------

    def due_deliveries(self, now: datetime, limit: int, *, skip_locked: bool,
                       exclude_endpoints: Sequence[int] = ()) -> Sequence[Held]:
        """Pending deliveries whose time has come, to enabled endpoints, earliest first;
        locked as they are picked, skipping those another worker holds. Plain rows: a
        worker reads many and keeps few, so no objects are built for them."""
        query = _DUE_SKIPPING_LOCKED if skip_locked else _DUE
        values = {"now": now, "limit": limit, "busy": sorted(exclude_endpoints)}
        return [Held(*row) for row in self.session.execute(query, values)]

    def lease(self, delivery_ids: Sequence[int], token: str, until: datetime) -> None:
        """Hold these deliveries under one token until ``until``, in one statement."""
        if delivery_ids:
            self.session.execute(_LEASE, {"ids": list(delivery_ids), "token": token,
                                          "until": until})

    def feed_rows(self, event_ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        """(id, order_no, at, actor, type, data) of these events, as the feed shows them,
        by id: plain rows, no objects."""
        rows = self.session.execute(_FEED_ROWS, {"ids": list(event_ids)})
        return {row[0]: tuple(row) for row in rows}

    def lock_to_disable(self, endpoint_ids: Sequence[int]) -> dict[int, WebhookEndpoint]:
        """Endpoints a worker may disable, locked in id order, so it waits for the
        owner's changes. Writers of events never wait: they read endpoints unlocked."""
        if not endpoint_ids:
            return {}
        return {e.id: e for e in self.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids))
            .order_by(WebhookEndpoint.id).with_for_update(key_share=True))}

    def signing(self, endpoint_ids: Sequence[int], now: datetime
                ) -> dict[int, tuple[str, list[str]]]:
        """Each endpoint's URL and the sealed secrets that sign at ``now`` (two during a
        rotation, oldest first), in one query of plain rows."""
        found: dict[int, tuple[str, list[str]]] = {}
        rows = self.session.execute(_SIGNING, {"ids": list(endpoint_ids), "now": now})
        for endpoint_id, url, sealed in rows:
            _, sealed_secrets = found.setdefault(endpoint_id, (url, []))
            if sealed is not None:
                sealed_secrets.append(sealed)
        return found

    def leased(self, leases: Sequence[tuple[int, str]]) -> dict[int, Held]:
        """The deliveries still held under these (id, token) leases, locked: a lease that
        ran out and was taken by another worker is no longer this one's to record."""
        if not leases:
            return {}
        tokens = dict(leases)
        rows = self.session.execute(_LEASED, {"ids": sorted(tokens)})
        return {row[0]: Held(*row[:-1]) for row in rows if row[-1] == tokens[row[0]]}

    def record_outcomes(self, outcomes: Sequence[dict[str, Any]],
                        attempts: Sequence[dict[str, Any]]) -> None:
        """Each delivery's new state, and the attempts that led there, in two statements."""
        if outcomes:
            self.session.execute(_SETTLE, list(outcomes))
            self.session.execute(insert(WebhookAttempt.__table__), list(attempts))

def _of_store(store_id: int | None) -> ColumnElement[bool]:
    return (WebhookEndpoint.store_id.is_(None) if store_id is None
            else WebhookEndpoint.store_id == store_id)
