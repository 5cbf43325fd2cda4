"""The ``negotiation`` console script: the same commands as ``flask --app wsgi``."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from negotiation.app import create_app


def _create_app() -> Flask:
    return create_app()


group = FlaskGroup(create_app=_create_app, help="Negotiated shipping service commands.")


def main() -> None:
    group()
