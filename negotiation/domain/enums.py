"""The closed vocabularies of the public contract (API.md)."""

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    AGENT = "agent"
    BUYER = "buyer"
    REVIEWER = "reviewer"
    ADMIN = "admin"


SELLER_ROLES = frozenset({Role.OWNER, Role.AGENT})


class OrderKind(StrEnum):
    PHYSICAL = "physical"
    VIRTUAL = "virtual"
    SCHEDULED_DELIVERY = "scheduled_delivery"


class OrderStatus(StrEnum):
    AWAITING_SHIPMENT = "awaiting_shipment"
    SHIPPED = "shipped"
    CLOSED = "closed"


class ShipMode(StrEnum):
    NORMAL = "normal"
    EXPRESS = "express"
    TIERED = "tiered"


class ShipBySource(StrEnum):
    ORIGINAL = "original"
    AGREED_CARD = "agreed_card"
    DELAY_REPORT = "delay_report"
    REGIONAL_EXTENSION = "regional_extension"


class CardReason(StrEnum):
    BUYER_REQUEST = "buyer_request"
    CUSTOM_MADE = "custom_made"
    STOCK_SHORTAGE = "stock_shortage"
    ADDRESS_ISSUE = "address_issue"
    OTHER = "other"


class CardState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    VOIDED = "voided"


class NegotiationState(StrEnum):
    OPEN = "open"
    AWAITING_BUYER = "awaiting_buyer"
    AGREED = "agreed"
    FAILED = "failed"
    CLOSED = "closed"


class Action(StrEnum):
    """What a caller may try on a negotiation; the API's ``actions`` keys."""

    PROPOSE = "propose"
    ACCEPT = "accept"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    FILE_DELAY_REPORT = "file_delay_report"
    SHIP = "ship"


class ReportKind(StrEnum):
    SHIPMENT = "shipment"  # 延迟发货报备: named orders, a latest ship time
    COLLECTION = "collection"  # 延迟揽收报备: named tracking numbers, a latest collection time
    STORE = "store"  # 店铺报备: every order whose deadline falls in a window


class ReportReason(StrEnum):
    LARGE_CONFERENCE = "large_conference"
    MAJOR_EVENT = "major_event"
    NATURAL_DISASTER = "natural_disaster"
    MERCHANT_FACTOR = "merchant_factor"
    SPECIAL_ORDER = "special_order"
    DUAL_ADDRESS = "dual_address"
    EPIDEMIC_CONTROL = "epidemic_control"
    BUYER_REQUESTED = "buyer_requested"
    STOCK_SHORTAGE = "stock_shortage"


class ReportStatus(StrEnum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class AppealState(StrEnum):
    PENDING_REVIEW = "pending_review"
    UPHELD = "upheld"  # the violation stands
    OVERTURNED = "overturned"  # the violation is waived, its charges reversed


class AppealReason(StrEnum):
    """Why a store says a violation should not stand (申诉理由)."""

    DEADLINE_WAS_MET = "deadline_was_met"
    CARRIER_FAULT = "carrier_fault"
    PLATFORM_FAULT = "platform_fault"
    FORCE_MAJEURE = "force_majeure"
    BUYER_REQUESTED = "buyer_requested"
    OTHER = "other"


class ViolationKind(StrEnum):
    LATE_SHIPMENT = "late_shipment"  # 发货超时
    COLLECTION_TIMEOUT = "collection_timeout"  # 揽收超时


class ExemptedBy(StrEnum):
    """What waived a violation: then it costs nothing (API.md)."""

    AGREED_CARD = "agreed_card"
    DELAY_REPORT = "delay_report"
    REGIONAL_EXEMPTION = "regional_exemption"
    APPEAL = "appeal"  # a reviewer overturned it on the store's appeal


class LedgerKind(StrEnum):
    DEPOSIT_DEDUCTION = "deposit_deduction"  # 扣保证金, with its points
    BUYER_COMPENSATION = "buyer_compensation"  # 自动赔付
    REVERSAL = "reversal"  # undoes one entry; the entry itself is kept


class ScanKind(StrEnum):
    COLLECTED = "collected"  # 揽收: the first carrier scan
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"


class ExtensionCause(StrEnum):
    """Why a region's ship deadlines are extended (seed 001)."""

    HIGH_RISK = "high_risk"  # a city with medium or high-risk areas
    CARRIER_SUSPENSION = "carrier_suspension"  # more than 5 carriers suspended service
