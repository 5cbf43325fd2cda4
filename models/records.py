"""What the service remembers about requests and happenings: events, idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from models.base import Base, UTCDateTime


class WritingTransaction(FunctionElement[int]):
    """The id of the transaction that writes a row, as the database numbers them.

    The change feed serves events in (transaction, id) order, and only those of
    transactions older than every one still running: on PostgreSQL ids are taken in one
    order and committed in another, so the event id alone would let a reader pass an
    event whose transaction commits later. SQLite runs one writing transaction at a time
    (each begins ``IMMEDIATE``), so commit order is id order there and every row is 0.
    """

    type = BigInteger()
    inherit_cache = True


@compiles(WritingTransaction)
def _writing_transaction_sqlite(element: WritingTransaction, compiler: SQLCompiler,
                                **kw: object) -> str:
    return "0"


@compiles(WritingTransaction, "postgresql")
def _writing_transaction_postgresql(element: WritingTransaction, compiler: SQLCompiler,
                                    **kw: object) -> str:
    # xid8 has no cast to bigint; its text form is the full 64-bit, epoch-extended number.
    return "pg_current_xact_id()::text::bigint"


class CommittedHorizon(FunctionElement[int]):
    """The oldest transaction still running that may write this database's events, in
    :class:`WritingTransaction` numbers: every such transaction below it has ended, so no
    event below it is still to come.

    Evaluated in the feed's own statement, so with the snapshot its rows are read from.
    On PostgreSQL transaction ids are the server's: the snapshot's running transactions
    count, less those the server names as another database's (a long one there must not
    stall this feed). One that cannot be placed — its backend gone between the two
    looks, a prepared transaction — counts, which only holds the feed back a moment.
    On SQLite every event is transaction 0 and 1 lets them all through: there commit
    order is id order.
    """

    type = BigInteger()
    inherit_cache = True


@compiles(CommittedHorizon)
def _committed_horizon_sqlite(element: CommittedHorizon, compiler: SQLCompiler,
                              **kw: object) -> str:
    return "1"


@compiles(CommittedHorizon, "postgresql")
def _committed_horizon_postgresql(element: CommittedHorizon, compiler: SQLCompiler,
                                  **kw: object) -> str:
    # A running id's low 32 bits are the backend's xid (backend_xid has no epoch).
    return ("(SELECT coalesce(min(running::text::bigint),"
            " pg_snapshot_xmax(pg_current_snapshot())::text::bigint)"
            " FROM pg_snapshot_xip(pg_current_snapshot()) AS running"
            " WHERE running::text::bigint & 4294967295 NOT IN"
            " (SELECT backend_xid::text::bigint FROM pg_stat_activity"
            " WHERE datname <> current_database() AND backend_xid IS NOT NULL))")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_order_id_at_id", "order_id", "at", "id"),
                      Index("ix_events_txid_id", "txid", "id"),
                      Index("ix_events_store_id_txid_id", "store_id", "txid", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null for what happens to no order (an endpoint disabled, a key revoked).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    # The store the event concerns (its order's), or null for the platform's own: who
    # may see it, and which store's webhook endpoints it goes to.
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Filled by the database, never by the service: see ``WritingTransaction``.
    txid: Mapped[int] = mapped_column(BigInteger, server_default=WritingTransaction())


class IdempotencyKey(Base):
    """The first response to a POST carrying ``Idempotency-Key``, replayed on retry."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("caller", "key"),
                      Index("ix_idempotency_keys_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    caller: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
