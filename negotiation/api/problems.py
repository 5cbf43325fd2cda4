"""RFC 9457 problem documents: the one table from error code to HTTP status."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, json

from negotiation.domain import errors
from negotiation.domain.errors import DomainError

PROBLEM_TYPE_BASE = "/api/docs/problems#"

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
    "report_not_pending": 409,
    "report_not_applicable": 422,
    "idempotency_key_reused": 422,
    "idempotency_key_in_progress": 409,
}

CODE_OF_STATUS: dict[int, str] = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "too_many_requests",
}


def problem(status: int, code: str, detail: str,
            field_errors: dict[str, list[str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field_errors:
        body["errors"] = field_errors
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    response.headers.update(headers or {})
    return response


def from_domain_error(error: DomainError) -> Response:
    status = STATUS_OF_CODE.get(error.code, 409)
    field_errors = {error.field: [error.detail]} if error.field else None
    return problem(status, error.code, error.detail, field_errors)


def flatten_messages(messages: Any) -> dict[str, list[str]]:
    """webargs nests errors by location (``json``, ``query``); clients want the field."""
    flat: dict[str, list[str]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list) and all(isinstance(m, str) for m in node):
            flat.setdefault(path or "_body", []).extend(node)
        else:
            flat.setdefault(path or "_body", []).append(str(node))

    for location_errors in (messages or {}).values():
        walk(location_errors, "")
    return flat
