"""The application factory: configuration, database, clock and policy, then the layers."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from negotiation import api, cli, health, observability, rate_limits, runtime, web
from negotiation.adapters import schema
from negotiation.adapters.database import (
    autocommit_session_factory,
    build_engine,
    is_sqlite,
    session_factory,
)
from negotiation.adapters.evidence_store import FileEvidenceStore
from negotiation.adapters.sealing import WEBHOOK_SECRETS, Seal
from negotiation.clock import Clock, SystemClock
from negotiation.domain.policy import Policy
from negotiation.routing import PATH_CONVERTERS, SharedBuilderRule
from negotiation.runtime import EXTENSION, Runtime, body_limit
from negotiation.services.notifications.settings import WebhookSettings


def create_app(config: dict[str, Any] | None = None, clock: Clock | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.url_rule_class = SharedBuilderRule
    app.url_map.converters.update(PATH_CONVERTERS)
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
    _load_environment(app)
    app.config.update(config or {})
    check_admin_token(app.config["ADMIN_TOKEN"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    engine = build_engine(app.config["DATABASE_URL"])
    if is_sqlite(engine):
        schema.upgrade_if_behind(engine)  # the embedded default needs no setup step
    policy = Policy.from_mapping(app.config["POLICY"])
    try:
        webhooks = WebhookSettings.from_config(app.config)
    except ValueError as err:
        raise ConfigurationError(str(err)) from None
    # Room for one evidence file and its multipart framing; larger bodies are refused
    # before they are read.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = body_limit(policy)
    app.extensions[EXTENSION] = Runtime(
        engine=engine, sessions=session_factory(engine),
        autocommit_sessions=autocommit_session_factory(engine), clock=clock or SystemClock(),
        policy=policy, evidence=FileEvidenceStore(Path(app.config["EVIDENCE_DIR"])),
        webhooks=webhooks, webhook_seal=Seal(app.config["SECRET_KEY"], WEBHOOK_SECRETS))

    runtime.init_app(app)  # first: its connection goes back after every later hook
    observability.init_app(app, engine)  # then the request id, for every later hook
    health.init_app(app)
    rate_limits.init_app(app)  # before the API's hooks: a refusal costs no database work
    api.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app


# Settings that are text whatever they look like. ``from_prefixed_env`` reads each value
# as JSON when it can, which makes a token of digits a number and ``null`` no token.
TEXT_SETTINGS = ("ADMIN_TOKEN", "SECRET_KEY", "DATABASE_URL", "EVIDENCE_DIR",
                 "METRICS_TOKEN")
ENV_PREFIX = "NEGOTIATION_"
# RFC 6750's token68: what can follow ``Bearer`` in an Authorization header.
BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
ADMIN_TOKEN_MIN_LENGTH = 16


class ConfigurationError(ValueError):
    """A setting the service cannot run with: raised at start-up, never at a request."""


def _load_environment(app: Flask) -> None:
    app.config.from_prefixed_env(ENV_PREFIX.rstrip("_"))
    for key in TEXT_SETTINGS:
        if (raw := os.environ.get(ENV_PREFIX + key)) is not None:
            app.config[key] = raw


def check_admin_token(token: object) -> None:
    """Refuse an admin token no client could send, or anyone could guess."""
    if token is None:
        return
    setting = f"{ENV_PREFIX}ADMIN_TOKEN"
    if not isinstance(token, str):
        raise ConfigurationError(f"{setting} must be text, not {type(token).__name__}.")
    if not BEARER_TOKEN.fullmatch(token):
        raise ConfigurationError(
            f"{setting} may hold only letters, digits and - . _ ~ + / (then = padding), "
            "so that it can be sent as a bearer token; unset it to accept no admin token.")
    if len(token) < ADMIN_TOKEN_MIN_LENGTH:
        raise ConfigurationError(
            f"{setting} must be at least {ADMIN_TOKEN_MIN_LENGTH} characters long "
            f"(it has {len(token)}); `python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'` makes one.")


def _instance_secret(instance: Path) -> str:
    """A signing key kept in the instance folder, so sign-ins survive a restart."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
