"""What the pages may offer the signed-in caller, decided here from the roles the
services check, so that a template reads flags and never compares roles itself.

What may be done *to an order or a report* now comes from its ``actions``, the services'
own answer; these are the links and headings that depend on the role alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from negotiation.domain.caller import Caller
from negotiation.domain.enums import SELLER_ROLES, Role
from negotiation.services.assessment.queries import LEDGER_READERS


@dataclass(frozen=True)
class Rights:
    files_reports: bool
    """A store's seller: its delay reports and the form to file one."""
    reviews: bool
    """A platform reviewer: the review queue, every store's ledger, regional decisions."""
    reads_reports: bool
    """Sellers and reviewers: an event naming a report links to it."""
    reads_ledgers: bool
    """An owner or a reviewer: an order's assessment links to its store's ledger."""
    own_ledger: int | None
    """An owner's store, whose ledger the navigation links; None for everyone else."""
    buys: bool
    """A buyer: the order list is "my orders"."""


def rights_of(caller: Caller | None) -> Rights | None:
    """None for a visitor who is not signed in."""
    if caller is None:
        return None
    role = caller.role
    return Rights(
        files_reports=role in SELLER_ROLES,
        reviews=role is Role.REVIEWER,
        reads_reports=role in SELLER_ROLES or role is Role.REVIEWER,
        reads_ledgers=role in LEDGER_READERS,
        own_ledger=caller.store_id if role is Role.OWNER else None,
        buys=role is Role.BUYER,
    )
