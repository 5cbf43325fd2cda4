"""The queries of the service's own records: the idempotency keys of retried POSTs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import IdempotencyKey
from negotiation.adapters.database import rows_changed


class RecordsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- idempotency keys --------------------------------------------------------------

    def idempotency_key(self, caller: str, key: str) -> IdempotencyKey | None:
        return self.session.scalars(select(IdempotencyKey).where(
            IdempotencyKey.caller == caller, IdempotencyKey.key == key)).first()

    def reserve_idempotency_key(self, caller: str, key: str, request_hash: str,
                                at: datetime) -> bool:
        """Write a new reservation; False when another request reserved the key first
        (the unique (caller, key) refused it), and the transaction must be rolled back."""
        self.session.add(IdempotencyKey(caller=caller, key=key, request_hash=request_hash,
                                        created_at=at))
        try:
            self.session.flush()
        except IntegrityError:
            return False
        return True

    def renew_idempotency_key(self, key_id: int, reserved_at: datetime, at: datetime) -> bool:
        """Take over a reservation made at ``reserved_at`` and never completed; of several
        requests doing so at once, only one finds it still as it was."""
        renewed = self.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == key_id, IdempotencyKey.created_at == reserved_at,
                   IdempotencyKey.status_code.is_(None))
            .values(created_at=at))
        return rows_changed(renewed) == 1

    def complete_idempotency_key(self, caller: str, key: str, status: int, body: str) -> bool:
        """Store the response to replay; False when the key is no longer held."""
        completed = self.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.caller == caller, IdempotencyKey.key == key)
            .values(status_code=status, response_body=body))
        return rows_changed(completed) == 1

    def release_idempotency_key(self, caller: str, key: str) -> None:
        self.session.execute(delete(IdempotencyKey).where(
            IdempotencyKey.caller == caller, IdempotencyKey.key == key))

    def purge_idempotency_keys(self, created_before: datetime) -> int:
        """Delete the keys reserved before ``created_before``; how many there were."""
        purged = self.session.execute(delete(IdempotencyKey).where(
            IdempotencyKey.created_at < created_before))
        return rows_changed(purged)

