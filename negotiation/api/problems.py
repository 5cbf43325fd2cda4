"""RFC 9457 problem documents: the one table from error code to HTTP status."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, g, has_app_context, json, render_template_string

from negotiation.domain.errors import DomainError
from negotiation.status_codes import STATUS_OF_CODE, status_of

PROBLEM_PAGE = "/api/problems"
PROBLEM_TYPE_BASE = PROBLEM_PAGE + "#"
PROBLEM_JSON = "application/problem+json"
BODY = "_body"  # where webargs files errors about the body as a whole


CODE_OF_STATUS: dict[int, str] = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited",
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
    if has_app_context() and (request_id := g.get("request_id")):
        body["request_id"] = request_id  # what the access log names this request by
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    return response


def from_domain_error(error: DomainError) -> Response:
    status = status_of(error.code)
    field_errors = {name: [message] for name, message in error.fields.items()} or None
    return problem(status, error.code, error.detail, field_errors)


def flatten_messages(messages: Any) -> dict[str, list[str]]:
    """webargs nests errors by location (``json``, ``query``); clients want the field."""
    flat: dict[str, list[str]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list) and all(isinstance(m, str) for m in node):
            flat.setdefault(path or BODY, []).extend(node)
        else:
            flat.setdefault(path or BODY, []).append(str(node))

    for location_errors in (messages or {}).values():
        walk(location_errors, "")
    return flat


CODES_PAGE = """<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Problem codes</title>
<h1>Problem codes of the negotiated-shipping API</h1>
<p>Every error is an RFC 9457 problem document; its <code>type</code> points here.
The OpenAPI document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<table><tr><th>code</th><th>HTTP status</th></tr>
{% for code, status in codes %}<tr id="{{ code }}"><td><code>{{ code }}</code></td>
<td>{{ status }}</td></tr>{% endfor %}</table></html>"""


def codes_page() -> str:
    """The page problem ``type`` URIs point at: each code with its status."""
    codes = sorted({**{c: s for s, c in CODE_OF_STATUS.items()}, **STATUS_OF_CODE}.items())
    return render_template_string(CODES_PAGE, codes=codes)
