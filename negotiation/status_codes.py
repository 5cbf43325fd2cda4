"""The HTTP status of every error code: one table for the API and the web pages alike."""

from __future__ import annotations

from negotiation.domain import errors
from negotiation.domain.consent import CONSENT_LINK_INVALID

STATUS_OF_CODE: dict[str, int] = {
    "not_found": 404,
    "forbidden": 403,
    "unauthenticated": 401,
    "validation_error": 422,
    "conflict": 409,
    "order_exists": 409,
    errors.NEGOTIATION_REVOKED: 409,
    errors.ORDER_NOT_AWAITING_SHIPMENT: 409,
    errors.PAST_SHIP_DEADLINE: 409,
    errors.ORDER_KIND_EXCLUDED: 409,
    errors.CARD_LIMIT_REACHED: 409,
    errors.ALREADY_AGREED: 409,
    errors.CARD_PENDING: 409,
    errors.PROPOSAL_OUT_OF_RANGE: 422,
    errors.CARD_NOT_PENDING: 409,
    errors.CARD_EXPIRED: 409,
    errors.TRACKING_NUMBER_IN_USE: 409,
    errors.REPORT_NOT_PENDING: 409,
    errors.REPORT_NOT_APPLICABLE: 422,
    errors.APPEAL_NOT_PENDING: 409,
    errors.VIOLATION_NOT_APPEALABLE: 409,
    errors.EVIDENCE_TOO_LARGE: 413,
    errors.EVIDENCE_TYPE_NOT_ALLOWED: 422,
    errors.EVIDENCE_LIMIT_REACHED: 409,
    "api_key_revoked": 409,
    "api_key_expired": 409,
    "unsupported_media_type": 415,
    "bad_request": 400,
    "idempotency_key_reused": 422,
    "idempotency_key_in_progress": 409,
    "rate_limited": 429,
    errors.WEBHOOK_URL_NOT_ALLOWED: 422,
    CONSENT_LINK_INVALID: 404,
    errors.DECLARATION_ENDED: 409,
}


def status_of(code: str) -> int:
    """Refusals the table does not name are conflicts with the order's state."""
    return STATUS_OF_CODE.get(code, 409)
