"""Who may read which events of an order.

A buyer reads its order's timeline except the store's internal events (API.md,
*Notifications*): deductions and points (``penalty.*``), product bans, and the evidence
a store files with a delay report; nor its appeals (``appeal.*``), a matter between the
store and the platform's reviewers. Kept as the families a buyer may see, less the
store's own events among them, so that a kind of event added later stays the store's
until it is decided otherwise.
"""

from __future__ import annotations

from typing import NamedTuple


class Audience(NamedTuple):
    """The event families (``card`` for ``card.sent``) a reader sees, less some events."""

    families: frozenset[str]
    excluded: frozenset[str]

    def may_see(self, event_type: str) -> bool:
        return family_of(event_type) in self.families and event_type not in self.excluded


BUYERS = Audience(
    families=frozenset({"card", "negotiation", "order", "shipment", "compensation",
                        "violation", "report"}),
    excluded=frozenset({"report.evidence_added"}))


def family_of(event_type: str) -> str:
    return event_type.split(".", 1)[0]
