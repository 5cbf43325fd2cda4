"""The SQLAlchemy models: the service's tables, and nothing about its rules."""

from sqlalchemy.orm import column_property, relationship

from models.appeals import Appeal, AppealEvidence
from models.assessment import (
    DailyDeduction,
    LedgerEntry,
    ProductBan,
    Refund,
    RegionalExemption,
    RegionalExtension,
    Scan,
    Violation,
)
from models.base import Base
from models.commerce import Account, Order, Shipment, Store
from models.credentials import ApiKey
from models.negotiation import Card, Negotiation
from models.notifications import (
    InboxRead,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSecret,
)
from models.records import Event, IdempotencyKey
from models.reports import (
    DelayReport,
    Evidence,
    ReportHistoryEntry,
    ReportItem,
    covered_by_approved_report,
)

# Defined here, once both tables are known: loaded with every order, in the same query.
Order.covered_by_report = column_property(covered_by_approved_report())
# Loaded only where an order is assessed; the sweep loads them for a whole batch at once.
# Views only: new violations and entries are inserted by the assessment repository, in
# bulk, not through these collections, so the session's flush has nothing to do for them.
Order.violations = relationship(Violation, order_by=Violation.id, lazy="select",
                                viewonly=True)
Order.ledger_entries = relationship(LedgerEntry, order_by=LedgerEntry.id, lazy="select",
                                    viewonly=True)
Order.shipments = relationship(Shipment, order_by=Shipment.id, lazy="select",
                               back_populates="order")

__all__ = ["Account", "ApiKey", "Appeal", "AppealEvidence", "Base", "Card", "DailyDeduction",
           "DelayReport", "Event",
           "Evidence", "IdempotencyKey", "InboxRead", "LedgerEntry", "Negotiation", "Order",
           "ProductBan", "Refund", "RegionalExemption", "RegionalExtension",
           "ReportHistoryEntry", "ReportItem", "Scan", "Shipment", "Store", "Violation",
           "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "WebhookSecret"]
