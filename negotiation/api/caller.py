"""Who is calling the API: set once per request by the authentication hook, read by the
resources (and the idempotency hooks) from here."""

from __future__ import annotations

from flask import g

from negotiation.domain.caller import Caller


def set_current_caller(caller: Caller) -> None:
    g.caller = caller


def current_caller() -> Caller:
    return g.caller


def is_authenticated() -> bool:
    """Whether this request's caller is known (every API call but the public pages)."""
    return "caller" in g
