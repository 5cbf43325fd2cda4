"""A negotiation per order and its proposal cards."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column
from negotiation.domain.enums import CardReason, CardState, NegotiationState

if TYPE_CHECKING:
    from models.commerce import Order


class Negotiation(Base):
    __tablename__ = "negotiations"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    state: Mapped[NegotiationState] = mapped_column(enum_column(NegotiationState), index=True)

    order: Mapped[Order] = relationship(back_populates="negotiation")
    cards: Mapped[list[Card]] = relationship(
        back_populates="negotiation", order_by="Card.seq", lazy="selectin",
        cascade="all, delete-orphan")


PENDING_SQL = text("state = 'pending'")


class Card(Base):
    __tablename__ = "cards"
    __table_args__ = (
        # The database, not only the rules, keeps each order's card numbers unique and
        # at most one card pending, so concurrent proposals cannot slip past the checks.
        UniqueConstraint("negotiation_id", "seq"),
        Index("uq_cards_one_pending", "negotiation_id", unique=True,
              sqlite_where=PENDING_SQL, postgresql_where=PENDING_SQL),
        Index("ix_cards_pending_expiry", "expires_at",
              sqlite_where=PENDING_SQL, postgresql_where=PENDING_SQL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    negotiation_id: Mapped[int] = mapped_column(ForeignKey("negotiations.id"))
    seq: Mapped[int]
    state: Mapped[CardState] = mapped_column(enum_column(CardState))
    proposed_ship_by: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[CardReason] = mapped_column(enum_column(CardReason))
    remark: Mapped[str] = mapped_column(String(500), default="")
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    buyer_note: Mapped[str | None] = mapped_column(String(500))
    preferred_ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When ``card.expiring_soon`` was recorded: at most once per card.
    expiry_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    negotiation: Mapped[Negotiation] = relationship(back_populates="cards")
