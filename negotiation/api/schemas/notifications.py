"""Events as the feed and the webhooks carry them, webhook endpoints and their deliveries.

A secret appears in the answer that makes it (creating an endpoint, rotating its secret)
and nowhere else.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from negotiation.api.fields import Instant, JsonBoolean
from negotiation.api.parsing import plain_text
from negotiation.api.schemas.common import PageArgs, component, cursor_field, limit_field
from negotiation.domain.event_types import CATALOGUE, EVERYTHING, FAMILIES, FAMILY_SUFFIX
from negotiation.domain.identifiers import ORDER_NO_PATTERN
from negotiation.services.notifications.endpoints import MAX_EVENT_TYPES
from negotiation.services.notifications.endpoints import ROTATION_OVERLAP as OVERLAP

# --- events and the change feed --------------------------------------------------------

# An event type (``card.sent``) or a family of them (``card.*``), as short as a type.
EVENT_TYPE_FILTER = r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*(\.\*)?$"
MAX_TYPE_FILTERS = 20


@component("Event")
class EventOut(Schema):
    id = fields.Integer()
    order_no = fields.String(allow_none=True, metadata={
        "description": "The order the event happened to; null for one of no order "
                       "(`webhook_endpoint.disabled`, `api_key.revoked`)."})
    at = Instant()
    actor = fields.String(metadata={"description": "An account id, `admin` or `system`."})
    type = fields.String()
    data = fields.Dict()


class EventPage(Schema):
    items = fields.List(fields.Nested(EventOut))
    next_cursor = fields.String(allow_none=True)


class FeedArgs(Schema):
    after = cursor_field("Where to go on from: the `next_cursor` of the page before; "
                         "without it, the first event.")
    type = fields.List(
        fields.String(validate=[validate.Length(min=1, max=64), validate.Regexp(
            EVENT_TYPE_FILTER, error="An event type (card.sent) or a family (card.*): "
                                     "letters, digits, _ and . only.")]),
        validate=validate.Length(max=MAX_TYPE_FILTERS, error="At most 20 types."),
        metadata={"description": "Only these types; `card.*` stands for every `card.` "
                                 "type. May repeat; any of them matches."})
    order_no = fields.String(validate=validate.Regexp(
        f"^{ORDER_NO_PATTERN}$", error="1 to 64 letters, digits and _ . : - only"), metadata={
        "description": "Only this order's events; an order the caller may not see, or "
                       "that does not exist, has none."})
    limit = limit_field()


class FeedPage(Schema):
    items = fields.List(fields.Nested(EventOut), required=True)
    next_cursor = fields.String(required=True, metadata={
        "description": "Always present, also on the last and on an empty page: poll with it "
                       "to receive what comes next, each event once."})


# --- webhook endpoints -----------------------------------------------------------------

SUBSCRIBABLE = [EVERYTHING, *sorted(f"{family}{FAMILY_SUFFIX}" for family in FAMILIES),
                *CATALOGUE]
DELIVERY_STATES = ["pending", "delivered", "failed"]


def _url(**kwargs: object) -> fields.Url:
    return fields.Url(schemes={"http", "https"}, require_tld=False, validate=validate.Length(
        max=2048), metadata={
        "description": "Where events are POSTed. https, unless the service runs with "
                       "`WEBHOOK_ALLOW_PRIVATE_URLS`; a name that resolves to a loopback, "
                       "private, link-local or metadata address is refused "
                       "(`webhook_url_not_allowed`), here and again at each delivery.",
        "example": "https://chat.example.com/hooks/negotiation"}, **kwargs)


def _event_types(**kwargs: object) -> fields.List:
    return fields.List(
        fields.String(validate=validate.OneOf(SUBSCRIBABLE, error="Not an event type, a "
                                              "family (card.*) or *.")),
        validate=validate.Length(min=1, max=MAX_EVENT_TYPES), metadata={
            "description": "Exact types (`card.accepted`), families (`card.*`) or `*` for "
                           "every type. The endpoint receives the events of these types "
                           "its owner may see: a store's, or every store's for the "
                           "platform's endpoints.",
            "example": ["card.*", "negotiation.agreed", "violation.*"]}, **kwargs)


def _description(**kwargs: object) -> fields.String:
    return fields.String(validate=[validate.Length(max=500), plain_text],
                         metadata={"example": "客服工具"}, **kwargs)


class EndpointIn(Schema):
    url = _url(required=True)
    event_types = _event_types(required=True)
    description = _description(load_default="")


class EndpointPatch(Schema):
    url = _url()
    event_types = _event_types()
    enabled = JsonBoolean(metadata={
        "description": "false stops deliveries (they wait); true resumes them, also after "
                       "the service disabled the endpoint."})
    description = _description()


class Endpoint(Schema):
    id = fields.Integer(required=True)
    store_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The store whose events it receives; null: every store's (the "
                       "platform's endpoints)."})
    url = fields.String(required=True)
    event_types = fields.List(fields.String(), required=True)
    description = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    disabled_reason = fields.String(required=True, allow_none=True, metadata={
        "description": "Why it is disabled: by whom, or the delivery that kept failing."})
    created_at = Instant(required=True)
    updated_at = Instant(required=True)
    previous_secret_retires_at = Instant(required=True, allow_none=True, metadata={
        "description": "Until when the secret a rotation replaced still signs beside the "
                       "current one."})


class NewEndpoint(Endpoint):
    secret = fields.String(required=True, metadata={
        "description": "The signing secret (`whsec_` and base64), shown in this answer only. "
                       "Verify deliveries with it as the Standard Webhooks libraries do. "
                       f"After a rotation the old one goes on signing for "
                       f"{OVERLAP.total_seconds() / 3600:.0f} hours.",
        "example": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})


class EndpointPage(Schema):
    items = fields.List(fields.Nested(Endpoint), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


# --- deliveries ------------------------------------------------------------------------


class Attempt(Schema):
    attempt = fields.Integer(required=True)
    at = Instant(required=True)
    status_code = fields.Integer(required=True, allow_none=True)
    latency_ms = fields.Integer(required=True)
    error = fields.String(required=True, allow_none=True, metadata={
        "description": "Why it failed without a 2xx: a timeout, a refused connection, a "
                       "redirect (never followed), a URL no longer allowed."})
    response = fields.String(required=True, metadata={
        "description": "The start of the receiver's answer (500 characters at most)."})


class Delivery(Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    event_type = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(DELIVERY_STATES), metadata={
        "description": "`pending` (due at `next_attempt_at`), `delivered` (a 2xx came), "
                       "`failed` (given up after the whole retry schedule)."})
    attempt = fields.Integer(required=True, metadata={"description": "Attempts so far."})
    at = Instant(required=True, allow_none=True, metadata={
        "description": "When the latest attempt started."})
    status_code = fields.Integer(required=True, allow_none=True)
    latency_ms = fields.Integer(required=True, allow_none=True)
    error = fields.String(required=True, allow_none=True)
    response = fields.String(required=True, allow_none=True)
    next_attempt_at = Instant(required=True, allow_none=True)
    created_at = Instant(required=True)
    attempts = fields.List(fields.Nested(Attempt), required=True, metadata={
        "description": "Every attempt, oldest first."})


class DeliveryPage(Schema):
    items = fields.List(fields.Nested(Delivery), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class DeliveryListArgs(PageArgs):
    state = fields.String(validate=validate.OneOf(DELIVERY_STATES))
    event_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class ReplayIn(Schema):
    since = Instant(required=True, metadata={
        "description": "Every event at or after this instant (at most 30 days ago) that the "
                       "endpoint subscribes to is delivered again, also those from before it "
                       "subscribed.", "example": "2026-12-01T00:00:00Z"})


class Replayed(Schema):
    queued = fields.Integer(required=True, metadata={
        "description": "How many deliveries are now due."})
