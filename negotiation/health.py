"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from flask import Flask, jsonify

from negotiation.runtime import runtime


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():  # type: ignore[no-untyped-def]
        if runtime().database_ready():
            return jsonify(status="ok", database="ok")
        return jsonify(status="unavailable", database="unreachable"), 503
