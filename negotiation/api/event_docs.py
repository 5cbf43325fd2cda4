"""Event payloads in the OpenAPI document: one schema per event type, carrying the example
that ``python -m negotiation.event_examples`` recorded, a ``WebhookEvent`` that is any of
them, and the delivery that POSTs one (``x-webhooks``: OpenAPI 3.0 has no ``webhooks``).

The schemas are read off the recorded examples rather than written by hand, so they
describe what the service actually sends; docs/events.md is rendered from the same file.
"""

from __future__ import annotations

import json
import logging
import re
from importlib import resources
from typing import Any

from apispec import APISpec

EXAMPLES_FILE = "event_examples.json"
WEBHOOK_EVENT = "WebhookEvent"
log = logging.getLogger(__name__)

_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONEY = re.compile(r"-?\d+\.\d{2}")  # money and points: two decimals, as a string

# The Standard Webhooks headers every delivery carries (docs/api.md, *Webhooks*).
WEBHOOK_HEADERS = {
    "webhook-id": "The event's `id`: the same on every attempt and replay, to drop repeats.",
    "webhook-timestamp": "When this attempt was signed: the sender's wall clock, Unix "
                         "seconds.",
    "webhook-signature": "`v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` "
                         "under the endpoint's secret; two, space-separated, during a "
                         "rotation.",
}


def load_examples() -> dict[str, dict[str, Any]]:
    """Type → its example payload, in the catalogue's order."""
    text = resources.files(__package__).joinpath(EXAMPLES_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def component_name(event_type: str) -> str:
    """``card.sent`` → ``EventCardSent``: a component key needs no dots to be referenced."""
    return "Event" + "".join(part.capitalize() for part in re.split(r"[._]", event_type))


def value_schema(value: Any) -> dict[str, Any]:
    """The JSON schema a value of an example shows; a null shows only that it may be null."""
    if value is None:
        return {"nullable": True}
    if isinstance(value, bool):  # before int: a bool is an int to Python
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        for pattern, format_ in ((_INSTANT, "date-time"), (_DAY, "date"), (_MONEY, "decimal")):
            if pattern.fullmatch(value):
                return {"type": "string", "format": format_}
        return {"type": "string"}
    if isinstance(value, list):
        return {"type": "array", "items": value_schema(value[0]) if value else {}}
    return {"type": "object", "properties": {k: value_schema(v) for k, v in value.items()}}


def type_label(schema: dict[str, Any]) -> str:
    """How docs/events.md names a schema of :func:`value_schema`: ``string (date-time)``."""
    if "type" not in schema:
        return "null in this example" if schema.get("nullable") else "any"
    if schema["type"] == "array":
        items = schema["items"]
        return f"array of {type_label(items)}" if items else "array"
    return f"{schema['type']} ({schema['format']})" if "format" in schema else schema["type"]


def event_schema(event_type: str, example: dict[str, Any]) -> dict[str, Any]:
    # The data's properties are not required: some appear only at times (a rejection's
    # preferred date, a report decision's note).
    return {
        "type": "object",
        "description": f"`{event_type}`",
        "required": ["id", "order_no", "at", "actor", "type", "data"],
        "properties": {
            "id": {"type": "integer"},
            "order_no": {"type": "string", "nullable": True,
                         "description": "Null for an event of no order."},
            "at": {"type": "string", "format": "date-time",
                   "description": "When it took effect."},
            "actor": {"type": "string", "description": "An account id, or `system`."},
            "type": {"type": "string", "enum": [event_type]},
            "data": value_schema(example["data"]),
        },
        "example": example,
    }


def register(spec: APISpec) -> None:
    """Add the event schemas and the webhook to ``spec``."""
    try:
        examples = load_examples()
    except FileNotFoundError:  # an install without its package data: document no payloads
        log.warning("%s is missing: the OpenAPI document describes no event payloads",
                    EXAMPLES_FILE)
        return
    mapping = {}
    for event_type, example in examples.items():
        name = component_name(event_type)
        spec.components.schema(name, event_schema(event_type, example))
        mapping[event_type] = f"#/components/schemas/{name}"
    spec.components.schema(WEBHOOK_EVENT, {
        "description": "An event as a webhook delivery's body and a change-feed item carry "
                       "it; `type` tells which.",
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    })
    spec.options["x-webhooks"] = {"event": {"post": _delivery()}}


def _delivery() -> dict[str, Any]:
    return {
        "summary": "An event, POSTed to every enabled endpoint subscribed to its type",
        "description": "Signed as Standard Webhooks specifies; see `POST "
                       "/api/v1/webhook-endpoints` to subscribe.",
        "parameters": [{"name": name, "in": "header", "required": True,
                        "schema": {"type": "string"}, "description": description}
                       for name, description in WEBHOOK_HEADERS.items()],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{WEBHOOK_EVENT}"}}}},
        "responses": {"2XX": {"description": "Delivered. Any other answer, or none within "
                                             "the timeout, is retried."}},
    }
