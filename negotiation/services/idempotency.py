"""Replaying the first response to a retried POST (the ``Idempotency-Key`` header).

A key is reserved in its own short transaction before the request runs, so two
concurrent requests with one key cannot both act: the loser is told the first is still
in progress. The response is stored when the request ends; a server error releases the
key so the client can retry.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from models import IdempotencyKey
from negotiation.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


class KeyReused(Exception):
    """The key was first used with a different request."""


class KeyInProgress(Exception):
    """The first request with this key has not finished yet."""


def reserve(uow: UnitOfWork, caller: str, key: str, request_hash: str) -> Replay | None:
    """None when this request is the key's first; a :class:`Replay` when it is a retry."""
    with uow:
        found = _find(uow, caller, key)
        if found is None:
            uow.repo.add(IdempotencyKey(caller=caller, key=key, request_hash=request_hash,
                                        created_at=uow.now))
            try:
                uow.session.commit()
            except IntegrityError:
                raise KeyInProgress() from None
            return None
        if found.request_hash != request_hash:
            raise KeyReused()
        if found.status_code is None or found.response_body is None:
            raise KeyInProgress()
        return Replay(found.status_code, found.response_body)


def complete(uow: UnitOfWork, caller: str, key: str, status: int, body: str) -> None:
    with uow:
        found = _find(uow, caller, key)
        if found is not None:
            found.status_code, found.response_body = status, body
            uow.commit()


def release(uow: UnitOfWork, caller: str, key: str) -> None:
    with uow:
        uow.session.execute(delete(IdempotencyKey).where(
            IdempotencyKey.caller == caller, IdempotencyKey.key == key))
        uow.commit()


def _find(uow: UnitOfWork, caller: str, key: str) -> IdempotencyKey | None:
    return uow.session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.caller == caller, IdempotencyKey.key == key)).first()
