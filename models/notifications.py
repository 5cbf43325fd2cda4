"""Webhook endpoints, their secrets, the deliveries each event owes them and every
attempt at one; and which notifications each account has read in its inbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime

URL_LIMIT = 2048
DESCRIPTION_LIMIT = 500
PENDING_SQL = text("state = 'pending'")


class WebhookEndpoint(Base):
    """A URL subscribed to event types: a store's (``store_id``), or the platform's
    (``store_id`` null, managed by reviewers and admins) for every store's events."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_store_id_id", "store_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    # Null when made with the admin token, which is no account.
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    url: Mapped[str] = mapped_column(String(URL_LIMIT))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_LIMIT), default="")
    # Exact types and families (``card.*``), as the feed's ``type`` filter takes them.
    event_types: Mapped[list[str]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(DESCRIPTION_LIMIT))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Deleted endpoints are gone for their owners at once, and their rows an hour later:
    # a request that read the endpoint just before may still write a delivery to it.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    secrets: Mapped[list[WebhookSecret]] = relationship(
        order_by="WebhookSecret.id", cascade="all, delete-orphan", passive_deletes=True,
        lazy="selectin")


class WebhookSecret(Base):
    """A signing secret, sealed under the app's ``SECRET_KEY``: a dump of the database
    alone does not let anyone sign as the service. After a rotation the old one signs
    beside the new until ``retires_at``."""

    __tablename__ = "webhook_secrets"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # null: current


class WebhookDelivery(Base):
    """One event owed to one endpoint, written in the transaction that wrote the event.

    A pending delivery is due at ``next_attempt_at``. A worker that takes it moves that
    instant a lease ahead and stamps ``lease_token``: no other worker takes it meanwhile,
    and if the worker dies the delivery falls due again when the lease runs out. Only the
    holder of the token records the attempt's outcome.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_due", "next_attempt_at",
              sqlite_where=PENDING_SQL, postgresql_where=PENDING_SQL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # Failures since the delivery was (re)queued: where it stands in the retry schedule.
    failures: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.number", cascade="all, delete-orphan", passive_deletes=True,
        lazy="raise")


class WebhookAttempt(Base):
    """One POST of a delivery: when, what the receiver answered, how long it took."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (UniqueConstraint("delivery_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    number: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None]
    latency_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(String(500))
    response_excerpt: Mapped[str] = mapped_column(Text, default="")


class InboxRead(Base):
    """A notification an account has read in its web inbox."""

    __tablename__ = "inbox_reads"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
