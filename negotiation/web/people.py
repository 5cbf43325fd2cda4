"""People by name on the pages: an event's actor, a card's sender, the signed-in caller.

Accounts have names ("买家 Buyer Zhang"); a page that said "account #4" made people
look up numbers. Names are read once per account and request.
"""

from __future__ import annotations

from flask import g

from negotiation.runtime import runtime
from negotiation.services.accounts import accounts
from negotiation.web import labels


def person(actor: object) -> str:
    """``system``, ``admin`` or an account id (as events and views carry it), in words."""
    if actor is None:
        return "—"
    if actor == "system":
        return labels.text("system")
    if actor == "admin":
        return labels.text("platform")
    try:
        account_id = int(str(actor))
    except ValueError:
        return str(actor)
    names: dict[int, str | None] = g.setdefault("web_people", {})
    if account_id not in names:
        names[account_id] = accounts.name_of(runtime().autocommit_uow(), account_id)
    return names[account_id] or f"{labels.text('account')} #{account_id}"
