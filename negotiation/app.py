"""The application factory: configuration, database, clock and policy, then the layers."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from negotiation.adapters import schema
from negotiation.adapters.database import build_engine, is_sqlite, session_factory
from negotiation.adapters.evidence_store import EvidenceStore, FileEvidenceStore
from negotiation.clock import Clock, SystemClock
from negotiation.domain.policy import Policy
from negotiation.services.accounts import KnownCallers
from negotiation.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Runtime:
    """What every request and command shares: built once per app, never at import."""

    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    policy: Policy
    evidence: EvidenceStore
    known_callers: KnownCallers = field(default_factory=KnownCallers)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.clock, self.policy)

    def database_ready(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any failure to reach the database means "not ready"
            return False
        return True


def runtime() -> Runtime:
    return current_app.extensions["negotiation"]


def create_app(config: dict[str, Any] | None = None, clock: Clock | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.json.sort_keys = False  # fields in the order the schemas declare them
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path) / 'negotiation.sqlite3'}",
        ADMIN_TOKEN=None,
        POLICY={},
        SWEEP_BATCH_SIZE=500,
        IDEMPOTENCY_RETENTION_HOURS=48,
        # Longer than any request runs: a key reserved this long ago by a request that
        # never finished (its process died) is taken over by the next retry.
        IDEMPOTENCY_LEASE_SECONDS=60,
        EVIDENCE_DIR=str(Path(app.instance_path) / "evidence"),
    )
    app.config.from_prefixed_env("NEGOTIATION")
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    engine = build_engine(app.config["DATABASE_URL"])
    if is_sqlite(engine):
        schema.upgrade(engine)  # the embedded default needs no setup step
    policy = Policy.from_mapping(app.config["POLICY"])
    # Room for one evidence file and its multipart framing; larger bodies are refused
    # before they are read.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = policy.evidence_max_bytes + 64 * 1024
    app.extensions["negotiation"] = Runtime(
        engine=engine, sessions=session_factory(engine), clock=clock or SystemClock(),
        policy=policy, evidence=FileEvidenceStore(Path(app.config["EVIDENCE_DIR"])))

    from negotiation import api, cli, health, web

    health.init_app(app)
    api.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app


def _instance_secret(instance: Path) -> str:
    """A signing key kept in the instance folder, so sign-ins survive a restart."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
