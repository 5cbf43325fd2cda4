"""The SQLAlchemy models: the service's tables, and nothing about its rules."""

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
)

__all__ = ["Account", "ApiKey", "Appeal", "AppealEvidence", "Base", "Card", "DailyDeduction",
           "DelayReport", "Event",
           "Evidence", "IdempotencyKey", "InboxRead", "LedgerEntry", "Negotiation", "Order",
           "ProductBan", "Refund", "RegionalExemption", "RegionalExtension",
           "ReportHistoryEntry", "ReportItem", "Scan", "Shipment", "Store", "Violation",
           "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "WebhookSecret"]
