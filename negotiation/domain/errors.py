"""Domain errors, each carrying the machine-readable ``code`` of API.md.

The HTTP status of each code is decided in one table in the API layer; the domain only
says *what* was refused and why.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, detail: str, *, code: str | None = None, field: str | None = None,
                 fields: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.field = field
        # Each field at fault with its own message; ``field`` alone names one with ``detail``.
        self.fields = fields or ({field: detail} if field else {})


class NotFound(DomainError):
    """Absent, or present but not the caller's to see: the two answer the same."""

    code = "not_found"


class Forbidden(DomainError):
    """The caller's role may never do this."""

    code = "forbidden"


class Refused(DomainError):
    """A rule of RULES.md refused the action; ``code`` names the rule."""


class InvalidInput(DomainError):
    """Well-formed input that names something impossible (e.g. an unknown store)."""

    code = "validation_error"


class Conflict(DomainError):
    """The request collided with a concurrent one; retrying may succeed."""

    code = "conflict"


# Refusal codes of API.md, in the order RULES.md §2 checks them.
NEGOTIATION_REVOKED = "negotiation_revoked"
ORDER_NOT_AWAITING_SHIPMENT = "order_not_awaiting_shipment"
PAST_SHIP_DEADLINE = "past_ship_deadline"
ORDER_KIND_EXCLUDED = "order_kind_excluded"
CARD_LIMIT_REACHED = "card_limit_reached"
ALREADY_AGREED = "already_agreed"
CARD_PENDING = "card_pending"
PROPOSAL_OUT_OF_RANGE = "proposal_out_of_range"
CARD_NOT_PENDING = "card_not_pending"
CARD_EXPIRED = "card_expired"
TRACKING_NUMBER_IN_USE = "tracking_number_in_use"
REPORT_NOT_PENDING = "report_not_pending"
REPORT_NOT_APPLICABLE = "report_not_applicable"
APPEAL_NOT_PENDING = "appeal_not_pending"
VIOLATION_NOT_APPEALABLE = "violation_not_appealable"

# Codes of the delay-report path beyond API.md's list (its paths and fields are fixed,
# these name what API.md leaves to the project).
EVIDENCE_TOO_LARGE = "evidence_too_large"
EVIDENCE_TYPE_NOT_ALLOWED = "evidence_type_not_allowed"
EVIDENCE_LIMIT_REACHED = "evidence_limit_reached"

# Notifications (API.md, *Notifications*).
WEBHOOK_URL_NOT_ALLOWED = "webhook_url_not_allowed"

# Regional exemptions and extensions (RULES.md §4): one already over cannot be ended.
DECLARATION_ENDED = "declaration_ended"
