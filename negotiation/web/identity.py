"""Who is signed in: the caller kept in Flask's signed session cookie.

The session holds the caller's identity (role, account id, store id) and the id of the
key it signed in with, not the key. Why: the cookie is signed but *readable*, and a key
is a long-lived credential that also opens the JSON API; keeping it out of the cookie
means a copied cookie is at worst a browser session (ended by signing out, closing the
browser, or revoking the key), never an API key. Each page reads the key's row again
(one indexed read, as an API request does), so a key revoked or expired ends its web
sessions on their next page, in every process. The configured admin token has no key
and nothing to read again: its session lasts until sign-out or the browser closes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import g, redirect, request, session, url_for

from negotiation.domain.caller import Caller
from negotiation.domain.enums import Role
from negotiation.runtime import runtime
from negotiation.services.accounts import accounts

SESSION_KEY = "caller"


def remember(credential: accounts.Credential) -> None:
    session.clear()  # nothing from before sign-in (an earlier caller, its CSRF token) survives
    caller = credential.caller
    session[SESSION_KEY] = {"role": caller.role.value, "account_id": caller.account_id,
                            "store_id": caller.store_id, "key_id": credential.key_id}
    session.permanent = False  # ends with the browser


def forget() -> None:
    session.clear()


def load() -> None:
    """Put the signed-in caller, or None, on ``g`` for this request.

    A caller who signed in with a key is read again through that key: its role and store
    as they are now, or nobody (and the session ends) once the key is revoked or expired.
    """
    g.web_caller = None
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict) or request.endpoint == "web.static":
        return
    try:
        caller = Caller(role=Role(stored["role"]), account_id=stored.get("account_id"),
                        store_id=stored.get("store_id"))
    except (KeyError, ValueError):  # a cookie from an older layout: sign in again
        session.pop(SESSION_KEY, None)
        return
    if caller.account_id is None:  # the configured admin token
        g.web_caller = caller
        return
    key_id = stored.get("key_id")
    current = None
    if type(key_id) is int:  # else a cookie from before keys: sign in again
        current = accounts.caller_of_key(runtime().autocommit_uow(), key_id)
    if current is None or current.account_id != caller.account_id:
        forget()
        return
    g.web_caller = current


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
