"""What every request, command and worker shares: the database, the clock, the policy and
the settings of one app, built once by ``create_app`` and found through the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from negotiation.adapters.database import SharedConnection
from negotiation.adapters.evidence_store import EvidenceStore
from negotiation.adapters.sealing import Seal
from negotiation.clock import Clock
from negotiation.domain.policy import Policy
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.notifications.settings import WebhookSettings

EXTENSION = "negotiation"
REQUEST_CONNECTION = "negotiation_connection"  # in flask.g


MULTIPART_FRAMING = 64 * 1024  # room for a multipart body's boundaries and other fields


def body_limit(policy: Policy, files: int = 1) -> int:
    """The largest request body that may carry ``files`` evidence files of the policy's
    largest size: larger bodies are refused before they are read."""
    return files * policy.evidence_max_bytes + MULTIPART_FRAMING


@dataclass(frozen=True)
class Runtime:
    """What every request and command shares: built once per app, never at import."""

    engine: Engine
    sessions: sessionmaker[Session]
    autocommit_sessions: sessionmaker[Session]
    clock: Clock
    policy: Policy
    evidence: EvidenceStore
    webhooks: WebhookSettings
    webhook_seal: Seal  # webhook signing secrets, sealed under SECRET_KEY

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessions(autocommit=False), self.clock, self.policy)

    def autocommit_uow(self) -> UnitOfWork:
        """A unit whose statements commit one by one: for authenticating a request, which
        reads one row (and now and then stamps it) on every request."""
        return UnitOfWork(self._sessions(autocommit=True), self.clock, self.policy)

    def _sessions(self, *, autocommit: bool) -> Callable[[], Session]:
        """In a request, the units share the request's one connection (its key's read,
        then its use case), taken from the pool at the first and given back at its end."""
        if not has_request_context():
            return self.autocommit_sessions if autocommit else self.sessions
        if (shared := g.get(REQUEST_CONNECTION)) is None:
            shared = SharedConnection(self.engine)
            setattr(g, REQUEST_CONNECTION, shared)
        return partial(shared.session, autocommit=autocommit)

    def database_ready(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any failure to reach the database means "not ready"
            return False
        return True


def init_app(app: Flask) -> None:
    app.teardown_request(_give_back_request_connection)


def _give_back_request_connection(_error: BaseException | None) -> None:
    shared = g.pop(REQUEST_CONNECTION, None)
    if shared is not None:
        shared.close()


def runtime() -> Runtime:
    """The runtime of the app handling the current request or command."""
    return current_app.extensions[EXTENSION]
