"""Record an example of every event type (``python -m negotiation.event_examples``).

A scripted run of the services on a fresh SQLite file and a frozen clock produces every
type of the catalogue; the first event of each type, as the feed and the webhooks render
it, becomes its example. They go to ``negotiation/api/event_examples.json`` (the OpenAPI
document's schemas read it) and ``docs/events.md``. Both are generated, never edited by
hand; a test fails when either is stale.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import textwrap
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from negotiation.adapters.webhook_transport import Outcome, WebhookSender
from negotiation.api.event_docs import EXAMPLES_FILE, type_label, value_schema
from negotiation.app import create_app
from negotiation.clock import FrozenClock
from negotiation.domain.audience import BUYERS, family_of
from negotiation.domain.caller import Caller
from negotiation.domain.enums import (
    AppealReason,
    CardReason,
    ReportKind,
    ReportReason,
    Role,
    ScanKind,
)
from negotiation.domain.enums import ViolationKind as Kind
from negotiation.domain.event_types import CATALOGUE
from negotiation.runtime import Runtime
from negotiation.services.accounts import accounts, stores
from negotiation.services.appeals import appeals
from negotiation.services.appeals import queries as appeal_queries
from negotiation.services.assessment import regions
from negotiation.services.negotiation import cards, consent
from negotiation.services.notifications import endpoints, feed
from negotiation.services.orders import orders, scans
from negotiation.services.reports import evidence, reports
from negotiation.worker import Worker, render

ROOT = Path(__file__).resolve().parent
EXAMPLES = ROOT / "api" / EXAMPLES_FILE
DOCUMENT = ROOT.parent / "docs" / "events.md"
START = datetime(2026, 11, 22, tzinfo=UTC)
ADMIN = Caller(role=Role.ADMIN)
# With the default limit (2) one order never holds more than one unwaived ship timeout:
# each later deadline waives the one before. At 0 the first late shipment bans.
POLICY = {"ban_after_ship_timeouts": 0}
# A PNG's signature is all the evidence check reads.
PNG = b"\x89PNG\r\n\x1a\n" + bytes(16)


class Unreachable(WebhookSender):
    """A receiver that refuses every connection. Posting to a real closed port would
    depend on what listens on this machine; the outcome is what such a post gets."""

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        return Outcome(None, 0, "connection refused", "")


class Scenario:
    """One store, its people, and the clock: each step drives the services as the API
    would."""

    def __init__(self, rt: Runtime, clock: FrozenClock) -> None:
        self.rt, self.clock = rt, clock
        self.secrets: list[str] = []  # what must never appear in an example
        store = stores.create_store(rt.uow(), ADMIN, name="Example store", region="Zhejiang")
        self.store_id = store.id
        self.owner = self.account(Role.OWNER, "Owner Wang")
        self.agent = self.account(Role.AGENT, "Agent Li")
        self.buyer = self.account(Role.BUYER, "Buyer Zhang")
        self.reviewer = self.account(Role.REVIEWER, "Reviewer Chen")
        self.worker = Worker(rt, sweep_batch_size=100, key_retention=timedelta(hours=48),
                             jitter=lambda: 0.0)
        self.worker.sender.close()
        self.worker.sender = Unreachable(timeout_seconds=1, allow_private=True)

    def account(self, role: Role, name: str) -> Caller:
        store_id = self.store_id if role in (Role.OWNER, Role.AGENT) else None
        view = accounts.create_account(self.rt.uow(), ADMIN, role=role, name=name,
                                       store_id=store_id)
        assert view.token is not None and view.id is not None
        self.secrets.append(view.token)
        return Caller(role=role, account_id=view.id, store_id=view.store_id)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def order(self, order_no: str, *, paid_hours_ago: float = 1,
              ship_by_hours: float | None = None, region: str | None = None) -> str:
        ship_by = None if ship_by_hours is None else self.now + timedelta(hours=ship_by_hours)
        orders.create_order(self.rt.uow(), ADMIN, order_no=order_no, store_id=self.store_id,
                            buyer_id=self.buyer.account_id or 0, amount=Decimal("199.00"),
                            paid_at=self.now - timedelta(hours=paid_hours_ago),
                            ship_by=ship_by, region=region, product_id=f"SKU-{order_no}")
        return order_no

    def card(self, order_no: str, days: int, by: Caller) -> int:
        return cards.propose_card(self.rt.uow(), by, order_no,
                                  proposed_ship_by=self.now + timedelta(days=days),
                                  reason=CardReason.CUSTOM_MADE,
                                  remark="Engraving takes a few more days").id

    def ship(self, order_no: str, carrier: str, tracking_no: str) -> str:
        orders.ship_order(self.rt.uow(), self.owner, order_no, carrier=carrier,
                          tracking_no=tracking_no)
        return tracking_no

    def scan(self, tracking_no: str, kind: ScanKind, hours_ago: float) -> None:
        scans.record_scan(self.rt.uow(), ADMIN, tracking_no, kind=kind,
                          at=self.now - timedelta(hours=hours_ago))

    def report(self, order_no: str, reason: ReportReason, description: str) -> int:
        return reports.file_report(self.rt.uow(), self.agent, kind=ReportKind.SHIPMENT,
                                   reason=reason, description=description,
                                   order_nos=[order_no],
                                   latest_ship_at=self.now + timedelta(days=5)).id

    def tick(self, hours: float) -> None:
        """The worker's pass at ``hours`` after the start: notices, sweep, deliveries."""
        self.clock.set(START + timedelta(hours=hours))
        self.worker.run_once()


def play(s: Scenario) -> None:
    uow = s.rt.uow
    # A receiver that refuses every delivery: given up, the endpoint is disabled.
    hook = endpoints.create_endpoint(uow(), s.owner, s.rt.webhooks, s.rt.webhook_seal,
                                     url="http://127.0.0.1:9/webhooks",
                                     event_types=["api_key.revoked"], description="Key alerts")
    s.secrets.append(hook.secret or "")
    # Agreed, then shipped on time; the carrier scans it on its way.
    cards.accept_card(uow(), s.buyer, s.card(agreed := s.order("O-1001"), 6, s.owner))
    agreed_parcel = s.ship(agreed, "SF Express", "SF1001")
    # Rejected (through the consent link the agent sent the buyer), withdrawn, and a last
    # card left to lapse: the cards run out.
    link = consent.make_link(uow(), s.agent, s.card(exhausted := s.order("O-1002"), 4, s.agent))
    consent.reject_by_link(uow(), link, note="Too late for the party",
                           preferred_ship_by=s.now + timedelta(days=2))
    cards.withdraw_card(uow(), s.agent, s.card(exhausted, 5, s.agent))
    s.card(exhausted, 3, s.agent)
    # Shipped while a card waits: the card is voided, the negotiation closes.
    s.card(voided := s.order("O-1003"), 4, s.owner)
    s.ship(voided, "YTO Express", "YT1003")
    # Born late: the negotiation lapsed, the store pays and the product is banned.
    s.order("O-1004", paid_hours_ago=60, ship_by_hours=-12)
    # Shipped in time, but collected late as far as anyone knows, until a scan says not.
    late_feed = s.ship(s.order("O-1005", paid_hours_ago=70, ship_by_hours=20), "ZTO Express",
                       "ZT1005")
    # Late in a flooded region: a reviewer's exemption waives it afterwards.
    s.order("O-1006", paid_hours_ago=60, ship_by_hours=-10, region="Henan")
    regions.declare_exemption(uow(), s.reviewer, region="Henan",
                              starts_at=s.now - timedelta(days=2),
                              ends_at=s.now + timedelta(days=5),
                              kinds=[Kind.LATE_SHIPMENT, Kind.COLLECTION_TIMEOUT],
                              note="Henan floods")
    # Delay reports: approved with evidence, rejected, withdrawn.
    approved = s.report(s.order("O-1007"), ReportReason.NATURAL_DISASTER,
                        "Roads closed by rainstorms")
    evidence.add_evidence(uow(), s.rt.evidence, s.agent, approved,
                          filename="road-closure.png", stream=io.BytesIO(PNG))
    reports.approve_report(uow(), s.reviewer, approved, note="Weather warning confirmed")
    rejected = s.report(s.order("O-1008"), ReportReason.STOCK_SHORTAGE, "Supplier is late")
    reports.reject_report(uow(), s.reviewer, rejected, note="No supplier notice attached")
    reports.withdraw_report(uow(), s.agent, s.report(
        s.order("O-1009"), ReportReason.MERCHANT_FACTOR, "Warehouse move"))
    # Appeals: one overturned (the ban's violation waived, its charges reversed), one upheld.
    for order_no, decide in (("O-1004", appeals.overturn_appeal),
                             ("O-1010", appeals.uphold_appeal)):
        if order_no == "O-1010":
            s.order(order_no, paid_hours_ago=60, ship_by_hours=-6)
        _, [violation] = appeal_queries.order_violations(uow(), s.owner, order_no)
        assert violation.id is not None
        filed = appeals.file_appeal(uow(), s.agent, violation.id,
                                    reason=AppealReason.CARRIER_FAULT,
                                    description="The carrier collected it the same day")
        decide(uow(), s.reviewer, filed.id, note="Carrier records checked")
    # A script's key revoked: the only event the failing endpoint subscribes to.
    key = accounts.create_key(uow(), s.owner, s.agent.account_id or 0, name="order sync")
    s.secrets.append(key.key or "")
    accounts.revoke_key(uow(), s.owner, key.id)
    s.tick(0)  # the first attempt fails; retried after 60 s, then 300 s
    s.tick(3)  # O-1005's collection deadline (T+2 h) passed unscanned
    s.scan(agreed_parcel, ScanKind.COLLECTED, hours_ago=1)
    s.scan(late_feed, ScanKind.COLLECTED, hours_ago=2)  # taken at T+1 h: disproved
    s.tick(12)  # the third attempt fails: the endpoint is disabled
    s.scan(agreed_parcel, ScanKind.IN_TRANSIT, hours_ago=1)
    s.tick(22.5)  # O-1002's last card lapses at T+24 h: within the notice's lead
    s.tick(24.5)
    s.tick(48)
    s.scan(agreed_parcel, ScanKind.DELIVERED, hours_ago=1)
    s.tick(150 * 24 + 24)  # never shipped: the automatic close, and the refund


def feed_items(rt: Runtime) -> list[dict[str, Any]]:
    """Every event, as a webhook delivery's body (and a feed item) has it."""
    items: list[dict[str, Any]] = []
    after = None
    while True:
        page = feed.list_feed(rt.uow(), ADMIN, limit=500, after=after)
        if not page.items:
            return items
        items += [json.loads(render(event)) for event in page.items]
        after = page.next_cursor


def record(workdir: Path) -> dict[str, dict[str, Any]]:
    """Type → its first event, in the catalogue's order, from a run under ``workdir``."""
    clock = FrozenClock(START)
    app = create_app({
        "DATABASE_URL": f"sqlite:///{workdir / 'examples.sqlite3'}",
        "SECRET_KEY": "event-examples",  # fixed, and nothing it seals reaches an example
        "EVIDENCE_DIR": str(workdir / "evidence"),
        "POLICY": POLICY,
        "RATELIMIT_ENABLED": False,
        "WEBHOOK_ALLOW_PRIVATE_URLS": True,  # the failing endpoint is on 127.0.0.1
        "WEBHOOK_RETRY_SCHEDULE": "60,300",
    }, clock=clock)
    rt: Runtime = app.extensions["negotiation"]
    try:
        scenario = Scenario(rt, clock)
        try:
            play(scenario)
        finally:
            scenario.worker.close()
        items = feed_items(rt)
    finally:
        rt.engine.dispose()
    missing = [t for t in CATALOGUE if not any(e["type"] == t for e in items)]
    if missing:
        raise RuntimeError(f"the scenario produced no {', '.join(missing)}")
    text = json.dumps(items)
    leaked = [s for s in scenario.secrets if s and s in text]
    if leaked:
        raise RuntimeError("a secret reached an event")
    return {t: next(e for e in items if e["type"] == t) for t in CATALOGUE}


# --- docs/events.md --------------------------------------------------------------------

INTRO = """\
# Event types

Generated by `python -m negotiation.event_examples` from a scripted run of the services on
a frozen clock (`negotiation/event_examples.py`) and the catalogue in
`negotiation/domain/event_types.py`; a test fails when this file is stale. Each example is
the first event of its type that run recorded, as it was sent. The run lowers the policy's
`ban_after_ship_timeouts` to 0, so that one late shipment bans a product.

## The envelope

An item of the change feed (`GET /api/v1/events`, an order's `GET
/api/v1/orders/{order_no}/events`) and the body of a webhook delivery are the same JSON
object:

| field | type | means |
|---|---|---|
| `id` | integer | The event's id; a delivery's `webhook-id` header. |
| `order_no` | string or null | The order it happened to; null for an event of no order. |
| `at` | string (date-time) | When it took effect, in UTC (a card lapses at its `expires_at`). |
| `actor` | string | An account id, or `system`: time, the worker, the admin token. |
| `type` | string | One of the types below. |
| `data` | object | What the type tells: its fields are listed with each type. |

The OpenAPI document (`/api/v1/openapi.json`) has the same as a schema per type
(`EventCardSent` for `card.sent`) and `WebhookEvent`, any one of them told apart by `type`.
A field that is null in an example may hold a value in other events of its type.

## Who sees which

- A store's owner and agents: every event of the store's orders, and the store's events
  of no order.
- Reviewers and admins: every event.
- The order's buyer: the events of its own orders but the store's internal ones; events
  of no order are never a buyer's. A buyer never sees:
{never}.
- Webhook endpoints: a store's endpoints receive the store's events, internal ones
  included; the platform's endpoints every store's and the platform's own. A
  subscription names types (`card.sent`), families (`card.*`) or `*`.
"""


def buyer_sees(event_type: str, example: dict[str, Any]) -> bool:
    """The feed's rule: the buyer's audience, and only on an order."""
    return BUYERS.may_see(event_type) and example["order_no"] is not None


def render_page(examples: dict[str, dict[str, Any]]) -> str:
    never = ", ".join(f"`{t}`" for t, e in examples.items() if not buyer_sees(t, e))
    never = textwrap.fill(never, width=90, initial_indent="  ", subsequent_indent="  ")
    parts = [INTRO.replace("{never}", never)]
    family = None
    for event_type, example in examples.items():
        if family_of(event_type) != family:
            family = family_of(event_type)
            parts.append(f"## `{family}.*`\n")
        parts.append(_section(event_type, example))
    return "\n".join(parts)


def _section(event_type: str, example: dict[str, Any]) -> str:
    if buyer_sees(event_type, example):
        seen = "yes"
    elif example["order_no"] is None:
        seen = "no (an event of no order)"
    else:
        seen = "no (the store's internal event)"
    rows = [f"| `{name}` | {type_label(value_schema(value))} |"
            for name, value in example["data"].items()]
    table = "\n".join(["| data field | type |", "|---|---|", *rows]) if rows else "No data."
    body = json.dumps(example, ensure_ascii=False, indent=2)
    return (f"### `{event_type}`\n\n{CATALOGUE[event_type]}\n\nSeen by the buyer: {seen}.\n\n"
            f"{table}\n\n```json\n{body}\n```\n")


def generate(workdir: Path) -> tuple[str, str]:
    """The examples file and docs/events.md, as they should read now."""
    examples = record(workdir)
    return json.dumps(examples, ensure_ascii=False, indent=2) + "\n", render_page(examples)


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        examples, page = generate(Path(workdir))
    EXAMPLES.write_text(examples, encoding="utf-8")
    DOCUMENT.write_text(page, encoding="utf-8")
    sys.stdout.write(f"wrote {EXAMPLES} and {DOCUMENT}\n")


if __name__ == "__main__":
    main()
