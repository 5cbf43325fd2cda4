"""Negotiated shipping: sellers and buyers agree a new ship-by time through proposal cards.

``create_app`` lives in :mod:`negotiation.app`; importing it lazily keeps the rules in
:mod:`negotiation.domain` importable without Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from negotiation.clock import Clock


def create_app(config: dict[str, Any] | None = None, clock: Clock | None = None) -> Flask:
    from negotiation.app import create_app as build

    return build(config, clock)


__all__ = ["create_app"]
