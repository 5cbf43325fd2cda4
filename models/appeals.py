"""Appeals of recorded violations (申诉) and their evidence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, enum_column
from negotiation.domain.enums import AppealReason, AppealState


class Appeal(Base):
    """A store's appeal of one violation; unique on the violation: it is appealed once."""

    __tablename__ = "appeals"
    __table_args__ = (
        # The reviewer queue (most overdue first) and each store's own list.
        Index("ix_appeals_state_due", "state", "review_due_at", "id"),
        Index("ix_appeals_store_due", "store_id", "review_due_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_no: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    reason: Mapped[AppealReason] = mapped_column(enum_column(AppealReason))
    state: Mapped[AppealState] = mapped_column(enum_column(AppealState))
    description: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)


class AppealEvidence(Base):
    """A file attached to an appeal, kept as a report's evidence is: the bytes in the
    evidence store, what they are here."""

    __tablename__ = "appeal_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
