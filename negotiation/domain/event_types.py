"""Every type of event the service records, and how readers name the ones they want.

A reader names exact types (``card.sent``), whole families (``card.*``) or everything
(``*``): the feed's ``type`` filter and a webhook endpoint's subscription read the same
patterns. The catalogue is what an endpoint may subscribe to, and what the API documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

FAMILY_SUFFIX = ".*"
EVERYTHING = "*"

# Type → what it tells, for the docs and the OpenAPI document.
CATALOGUE: dict[str, str] = {
    "order.created": "An order entered the service.",
    "order.deadline_changed": "The order's ship-by time moved (an agreed card, a report, "
                              "an extension).",
    "order.shipped": "The seller shipped the order.",
    "order.refunded": "The order was refunded.",
    "order.closed": "The order was closed (the automatic close after 150 days).",
    "card.sent": "The seller sent the buyer a proposal card.",
    "card.accepted": ("The buyer accepted a card; `channel` is `consent_link` when it was "
                      "answered through a consent link, absent otherwise."),
    "card.rejected": ("The buyer rejected a card (with a note and a preferred date, if any); "
                      "`channel` as for `card.accepted`."),
    "card.expired": "A card lapsed unanswered.",
    "card.withdrawn": "The seller withdrew a card.",
    "card.voided": "A pending card could no longer be answered (the order shipped or "
                   "was refunded).",
    "card.expiring_soon": "A pending card lapses soon (once per card, a configured lead "
                          "before `expires_at`).",
    "negotiation.agreed": "The buyer's acceptance settled the negotiation.",
    "negotiation.failed": "The negotiation can no longer succeed (cards used up, the "
                          "deadline passed).",
    "negotiation.closed": "The negotiation closed without agreement (the order shipped "
                          "or was refunded).",
    "shipment.collected": "The carrier collected the parcel.",
    "shipment.in_transit": "The carrier reported the parcel in transit.",
    "shipment.delivered": "The carrier delivered the parcel.",
    "compensation.paid": "The buyer was compensated for a violation.",
    "violation.late_shipment": "A late shipment was recorded.",
    "violation.collection_timeout": "A collection timeout (揽收超时) was recorded.",
    "violation.exempted": "A violation was waived (an agreed card, an approved delay "
                          "report, a regional exemption or extension, an appeal).",
    "violation.disproved": "A carrier scan showed a violation never happened.",
    "penalty.deducted": "The store's deposit was charged, or points deducted.",
    "penalty.revoked": "A charge was reversed.",
    "product.banned": "A product was banned from sale for repeated violations.",
    "report.submitted": "The seller filed a delay report naming the order.",
    "report.evidence_added": "Evidence was added to a delay report.",
    "report.approved": "A reviewer approved a delay report.",
    "report.rejected": "A reviewer rejected a delay report.",
    "report.withdrawn": "The seller withdrew a delay report.",
    "appeal.submitted": "The store appealed a violation of the order.",
    "appeal.upheld": "A reviewer upheld an appeal: the violation stands.",
    "appeal.overturned": "A reviewer overturned an appeal: the violation is waived and its "
                         "charges reversed.",
    "api_key.revoked": "An API key of the store (or of the platform) was revoked.",
    "webhook_endpoint.disabled": "A webhook endpoint was disabled after its deliveries "
                                 "kept failing.",
}
FAMILIES = frozenset(t.split(".", 1)[0] for t in CATALOGUE)


class EventTypes(NamedTuple):
    """Which types a reader asked for: exact ones and whole families (``card`` for
    ``card.*``); neither means every type."""

    exact: frozenset[str] = frozenset()
    families: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, patterns: Iterable[str]) -> EventTypes:
        patterns = list(patterns)
        if EVERYTHING in patterns:
            return cls()
        return cls(frozenset(p for p in patterns if not p.endswith(FAMILY_SUFFIX)),
                   frozenset(p.removesuffix(FAMILY_SUFFIX) for p in patterns
                             if p.endswith(FAMILY_SUFFIX)))

    @property
    def everything(self) -> bool:
        return not (self.exact or self.families)

    def match(self, event_type: str) -> bool:
        return (self.everything or event_type in self.exact
                or any(event_type.startswith(f"{family}.") for family in self.families))


def unknown_patterns(patterns: Iterable[str]) -> list[str]:
    """The patterns that name no type of the catalogue: a subscription to one would
    never receive anything, so it is refused rather than kept."""
    return [p for p in patterns
            if p != EVERYTHING and p not in CATALOGUE
            and not (p.endswith(FAMILY_SUFFIX) and p.removesuffix(FAMILY_SUFFIX) in FAMILIES)]
