"""The SQLAlchemy models: the service's tables, and nothing about its rules."""

from models.base import Base
from models.commerce import Account, Order, Shipment, Store
from models.negotiation import Card, Negotiation
from models.records import Event, IdempotencyKey

__all__ = ["Account", "Base", "Card", "Event", "IdempotencyKey", "Negotiation", "Order",
           "Shipment", "Store"]
