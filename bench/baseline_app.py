"""The floor the service is measured against: a bare Flask app, one INSERT per request.

It shares with the service everything that is not the service's own work: the same
gunicorn settings (``bench/http_throughput.py`` starts both the same way), the same
PostgreSQL, and the same engine setup (:func:`negotiation.adapters.database.build_engine`,
so the same driver, pool and ``pool_pre_ping``). Each request reads a small JSON body,
does one transaction with one ``INSERT ... RETURNING`` and answers 201 with a small JSON
document, like the service's write endpoints do.

Run it with ``DATABASE_URL`` set, e.g.
``gunicorn --chdir bench baseline_app:app``. The table is made by
``http_throughput.py`` (:data:`CREATE_TABLE`), not at import, so that several workers
never race to create it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from sqlalchemy import text

from negotiation.adapters.database import build_engine

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS bench_baseline (
    id BIGSERIAL PRIMARY KEY,
    payload TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
)
"""
INSERT = text("INSERT INTO bench_baseline (payload, created_at) "
              "VALUES (:payload, :at) RETURNING id")


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = build_engine(database_url or os.environ["DATABASE_URL"])

    @app.post("/insert")
    def insert():  # type: ignore[no-untyped-def]
        body = request.get_json(silent=True) or {}
        payload = str(body.get("payload", ""))[:500]
        with engine.begin() as connection:
            row_id = connection.execute(
                INSERT, {"payload": payload, "at": datetime.now(UTC)}).scalar_one()
        return jsonify(id=row_id, payload=payload), 201

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return jsonify(status="ok")

    return app


app = create_app() if "DATABASE_URL" in os.environ else None
