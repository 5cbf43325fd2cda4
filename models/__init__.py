"""The SQLAlchemy models: the service's tables, and nothing about its rules."""

from sqlalchemy.orm import column_property

from models.base import Base
from models.commerce import Account, Order, Shipment, Store
from models.negotiation import Card, Negotiation
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

__all__ = ["Account", "Base", "Card", "DelayReport", "Event", "Evidence", "IdempotencyKey",
           "Negotiation", "Order", "ReportHistoryEntry", "ReportItem", "Shipment", "Store"]
