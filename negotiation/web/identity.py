"""Who is signed in: the caller kept in Flask's signed session cookie.

The session holds the caller's identity (role, account id, store id), not the bearer
token. Why: the cookie is signed but *readable*, and a token is a long-lived credential
that also opens the JSON API; keeping it out of the cookie means a copied cookie is at
worst a browser session (ended by signing out or closing the browser), never an API
key. It also spares a token lookup on every page. The price: an account removed while
signed in stays signed in until the session ends — accounts cannot be removed yet; when
that arrives, keep a digest of the token here and re-check it per request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import g, redirect, request, session, url_for

from negotiation.domain.enums import Role
from negotiation.domain.negotiating import Caller

SESSION_KEY = "caller"


def remember(caller: Caller) -> None:
    session.clear()  # nothing from before sign-in (an earlier caller, its CSRF token) survives
    session[SESSION_KEY] = {"role": caller.role.value, "account_id": caller.account_id,
                            "store_id": caller.store_id}
    session.permanent = False  # ends with the browser


def forget() -> None:
    session.clear()


def load() -> None:
    """Put the signed-in caller, or None, on ``g`` for this request."""
    g.web_caller = None
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return
    try:
        g.web_caller = Caller(role=Role(stored["role"]), account_id=stored.get("account_id"),
                              store_id=stored.get("store_id"))
    except (KeyError, ValueError):  # a cookie from an older layout: sign in again
        session.pop(SESSION_KEY, None)


def current_caller() -> Caller | None:
    return g.get("web_caller")


def signed_in_caller() -> Caller:
    """The caller of a view guarded by :func:`login_required`."""
    caller = current_caller()
    assert caller is not None, "view is missing @login_required"
    return caller


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send a visitor who is not signed in to the sign-in page, and back afterwards."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_caller() is None:
            back = request.full_path if request.method == "GET" else request.path
            return redirect(url_for("web.sign_in", next=back.rstrip("?")))
        return view(*args, **kwargs)

    return guarded


def safe_next(target: str | None) -> str:
    """Only a path on this site: ``next`` must never send anyone elsewhere."""
    if not target or "\\" in target:
        return url_for("web.orders")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.orders")
    return target
