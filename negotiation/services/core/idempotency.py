"""Replaying the first response to a retried POST (the ``Idempotency-Key`` header).

A key is reserved in its own short transaction before the request runs, so two
concurrent requests with one key cannot both act: the loser is told the first is still
in progress. The response is stored when the request ends; a server error releases the
key so the client can retry. A reservation never completed (its process died mid-request)
is held only for a lease, longer than any request runs: after it a retry takes it over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from negotiation.services.core.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


class KeyReused(Exception):
    """The key was first used with a different request."""


class KeyInProgress(Exception):
    """The first request with this key has not finished yet."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"in progress; its lease ends in {retry_after}")
        self.retry_after = retry_after  # when a retry may take over, if it is still held


def reserve(uow: UnitOfWork, caller: str, key: str, request_hash: str, *,
            lease: timedelta) -> Replay | None:
    """None when this request is the key's first (or takes over a lapsed reservation);
    a :class:`Replay` when it is a retry of a finished request."""
    with uow:
        found = uow.records.idempotency_key(caller, key)
        if found is None:
            if not uow.records.reserve_idempotency_key(caller, key, request_hash, uow.now):
                raise KeyInProgress(lease)  # reserved at this moment by another request
            uow.commit()
            return None
        if found.request_hash != request_hash:
            raise KeyReused()
        if found.status_code is None or found.response_body is None:
            if uow.now < found.created_at + lease or not _take_over(uow, found.id,
                                                                     found.created_at):
                raise KeyInProgress(max(found.created_at + lease - uow.now, timedelta(0)))
            return None
        return Replay(found.status_code, found.response_body)


def _take_over(uow: UnitOfWork, key_id: int, reserved_at: datetime) -> bool:
    """Renew a lapsed reservation; of several retries doing so at once, one wins."""
    renewed = uow.records.renew_idempotency_key(key_id, reserved_at, uow.now)
    uow.commit()
    return renewed


def complete(uow: UnitOfWork, caller: str, key: str, status: int, body: str) -> None:
    with uow:
        if uow.records.complete_idempotency_key(caller, key, status, body):
            uow.commit()


def release(uow: UnitOfWork, caller: str, key: str) -> None:
    with uow:
        uow.records.release_idempotency_key(caller, key)
        uow.commit()
