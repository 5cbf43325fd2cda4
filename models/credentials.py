"""API keys: the bearer credentials of accounts, kept only as digests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.commerce import Account

KEY_NAME_LIMIT = 100


class ApiKey(Base):
    """One named credential of an account: an account holds one per integration."""

    __tablename__ = "api_keys"
    __table_args__ = (
        # An account's keys in the order they are listed (and its foreign key's index).
        Index("ix_api_keys_account_id_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    name: Mapped[str] = mapped_column(String(KEY_NAME_LIMIT))
    # The SHA-256 of the key, never the key: a leaked table leaks no credential. Unique,
    # so every request finds its key through this index.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # null: never
    # Written at most once a minute, so a steady stream of requests costs no write.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship()
