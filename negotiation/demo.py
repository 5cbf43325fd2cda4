"""Demo data: one store, its people, an order in every negotiation state, delay reports,
and what missed deadlines cost: violations, the penalty ledger, a regional exemption, a
timeout disproved by a scan reported late."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal

from negotiation.domain.caller import Caller
from negotiation.domain.enums import (
    CardReason,
    OrderKind,
    ReportKind,
    ReportReason,
    Role,
    ScanKind,
    ViolationKind,
)
from negotiation.runtime import Runtime
from negotiation.services.accounts import accounts, stores
from negotiation.services.assessment import regions
from negotiation.services.negotiation import cards
from negotiation.services.notifications import endpoints
from negotiation.services.orders import orders, scans
from negotiation.services.reports import queries as report_queries
from negotiation.services.reports import reports

ADMIN = Caller(role=Role.ADMIN)
STORE_NAME = "示例旗舰店 Demo flagship store"
PEOPLE = ((Role.OWNER, "店主 Owner Wang"), (Role.AGENT, "客服 Agent Li"),
          (Role.BUYER, "买家 Buyer Zhang"), (Role.REVIEWER, "审核 Reviewer Chen"))
SELLERS = (Role.OWNER, Role.AGENT)
DEMO_KEY_NAME = "demo"  # the key each later run issues
# The demo's orders as they are listed, each DEMO<store id>-<suffix>.
ORDER_SUFFIXES = ("OPEN", "AWAITING", "AGREED", "FAILED-CARDS", "FAILED-DEADLINE", "CLOSED",
                  "VIRTUAL", "REPORTED", "LATE-EXEMPT", "LATE-FEED")


@dataclass
class Seeded:
    store_id: int
    store_name: str
    tokens: list[tuple[str, str, str]] = field(default_factory=list)
    orders: list[tuple[str, str]] = field(default_factory=list)
    reports: list[tuple[int, str, str, str]] = field(default_factory=list)
    webhook: tuple[int, str, str] | None = None  # endpoint id, url, secret
    reused: bool = False  # found as an earlier run left it, not made now


def seed(rt: Runtime, webhook_url: str | None = None) -> Seeded:
    """The demo store, made on the first run; later runs find it and its people again
    (with a fresh token each, since only digests of tokens are kept)."""
    store = stores.find_store(rt.uow(), ADMIN, STORE_NAME)
    if store is None:
        return _make(rt, webhook_url)
    return _reuse(rt, store.id, store.name)


def _reuse(rt: Runtime, store_id: int, store_name: str) -> Seeded:
    found = Seeded(store_id, store_name, reused=True)
    callers: dict[Role, Caller] = {}
    for role, name in PEOPLE:
        view = accounts.find_account(rt.uow(), ADMIN, role=role, name=name,
                                     store_id=store_id if role in SELLERS else None)
        if view is None or view.id is None:
            continue  # a demo store whose people were removed: none to sign in as
        key = accounts.create_key(rt.uow(), ADMIN, view.id, name=DEMO_KEY_NAME)
        found.tokens.append((role.value, name, key.key))
        callers[role] = Caller(role=role, account_id=view.id, store_id=view.store_id)
    prefix = f"DEMO{store_id}"
    for suffix in ORDER_SUFFIXES:
        order_no = f"{prefix}-{suffix}"
        found.orders.append((order_no, cards.get_negotiation(rt.uow(), ADMIN, order_no).state))
    if (owner := callers.get(Role.OWNER)) is not None:
        for view in report_queries.list_reports(rt.uow(), owner, limit=50).items:
            named = ("whole store" if view.kind == ReportKind.STORE.value
                     else (view.tracking_nos or view.order_nos)[0])
            found.reports.append((view.id, view.kind, named, view.status))
        found.reports.sort()
        endpoints_now = endpoints.list_endpoints(rt.uow(), owner, limit=1).items
        if endpoints_now:  # its secret is kept sealed: a new one is shown, the old signs on
            rotated = endpoints.rotate_secret(rt.uow(), owner, rt.webhook_seal,
                                              endpoints_now[0].id)
            assert rotated.secret is not None
            found.webhook = (rotated.id, rotated.url, rotated.secret)
    return found


def _make(rt: Runtime, webhook_url: str | None) -> Seeded:
    now = rt.clock.now()
    store = stores.create_store(rt.uow(), ADMIN, name=STORE_NAME, region="Zhejiang")
    made = Seeded(store.id, store.name)

    def account(role: Role, name: str) -> Caller:
        view = accounts.create_account(rt.uow(), ADMIN, role=role, name=name,
                                       store_id=store.id if role in (Role.OWNER, Role.AGENT)
                                       else None)
        assert view.token is not None and view.id is not None
        made.tokens.append((role.value, name, view.token))
        return Caller(role=role, account_id=view.id, store_id=view.store_id)

    owner, agent, buyer, reviewer = (account(role, name) for role, name in PEOPLE)
    prefix = f"DEMO{store.id}"
    if webhook_url is not None:
        # Subscribed first, so everything below is owed to it: start a receiver and the
        # worker, and the demo's whole history arrives. A receiver on this machine is
        # what a demo has, hence private URLs allowed for this endpoint.
        endpoint = endpoints.create_endpoint(
            rt.uow(), owner, replace(rt.webhooks, allow_private_urls=True), rt.webhook_seal,
            url=webhook_url, event_types=["*"], description="演示接收端 Demo receiver")
        assert endpoint.secret is not None
        made.webhook = (endpoint.id, endpoint.url, endpoint.secret)

    def order(suffix: str, *, paid_hours_ago: float = 2, kind: OrderKind = OrderKind.PHYSICAL,
              ship_by_hours: float | None = None, region: str | None = None) -> str:
        order_no = f"{prefix}-{suffix}"
        ship_by = None if ship_by_hours is None else now + timedelta(hours=ship_by_hours)
        orders.create_order(rt.uow(), ADMIN, order_no=order_no, store_id=store.id,
                            buyer_id=buyer.account_id or 0, amount=Decimal("199.00"),
                            paid_at=now - timedelta(hours=paid_hours_ago), kind=kind,
                            ship_by=ship_by, region=region, product_id=f"SKU-{suffix}")
        return order_no

    def propose(order_no: str, days: int, by: Caller = owner) -> int:
        card = cards.propose_card(rt.uow(), by, order_no,
                                  proposed_ship_by=now + timedelta(days=days),
                                  reason=CardReason.CUSTOM_MADE,
                                  remark="定制刻字需要多几天 Engraving takes a few more days")
        return card.id

    order("OPEN")
    propose(order("AWAITING"), 5)
    cards.accept_card(rt.uow(), buyer, propose(order("AGREED"), 6))
    exhausted = order("FAILED-CARDS")
    for days in (4, 5, 6):
        cards.reject_card(rt.uow(), buyer, propose(exhausted, days, agent),
                          note="太晚了 Too late")
    order("FAILED-DEADLINE", paid_hours_ago=60, ship_by_hours=-12)
    propose(closed := order("CLOSED"), 4)
    tracking_no = f"SF{store.id:04d}{int(now.timestamp())}"
    orders.ship_order(rt.uow(), owner, closed, carrier="SF Express", tracking_no=tracking_no)
    scans.record_scan(rt.uow(), ADMIN, tracking_no, kind=ScanKind.COLLECTED, at=now)
    order("VIRTUAL", kind=OrderKind.VIRTUAL)
    # Missed deadlines: FAILED-DEADLINE above is already late (a deduction and the buyer's
    # compensation); this one, shipped from a flooded region, is waived by a reviewer.
    order("LATE-EXEMPT", paid_hours_ago=60, ship_by_hours=-10, region="Henan")
    regions.declare_exemption(rt.uow(), reviewer, region="Henan",
                              starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=5),
                              kinds=[ViolationKind.LATE_SHIPMENT,
                                     ViolationKind.COLLECTION_TIMEOUT],
                              note="河南暴雨 Henan floods")
    # A collection timeout recorded and charged, then disproved: the carrier's feed
    # reports, late, a scan taken before the deadline; the charge is reversed.
    late_feed = order("LATE-FEED", paid_hours_ago=80, ship_by_hours=20)
    late_feed_tracking = f"YT{store.id:04d}{int(now.timestamp())}"
    orders.ship_order(rt.uow(), owner, late_feed, carrier="YTO Express",
                      tracking_no=late_feed_tracking)
    scans.record_scan(rt.uow(), ADMIN, late_feed_tracking, kind=ScanKind.COLLECTED,
                      at=now - timedelta(hours=9))

    def report(kind: ReportKind, reason: ReportReason, description: str, named: str,
               **fields: object) -> int:
        view = reports.file_report(rt.uow(), agent, kind=kind, reason=reason,
                                   description=description, **fields)  # type: ignore[arg-type]
        made.reports.append((view.id, kind.value, named, view.status))
        return view.id

    # The fallback after failed negotiation, waiting for review.
    report(ReportKind.SHIPMENT, ReportReason.STOCK_SHORTAGE,
           "刻字机故障，配件周四到货 The engraver broke; parts arrive Thursday", exhausted,
           order_nos=[exhausted], latest_ship_at=now + timedelta(days=7))
    # An approved report that moved an order's deadline.
    approved = report(ReportKind.SHIPMENT, ReportReason.NATURAL_DISASTER,
                      "暴雨封路 Roads closed by rainstorms", reported := order("REPORTED"),
                      order_nos=[reported], latest_ship_at=now + timedelta(days=5))
    reports.approve_report(rt.uow(), reviewer, approved, note="气象预警属实 Warning confirmed")
    # A rejected collection report, and a store report for a coming lockdown.
    rejected = report(ReportKind.COLLECTION, ReportReason.MAJOR_EVENT,
                      "赛事期间快递停收 Carriers pause pickups during the games", tracking_no,
                      tracking_nos=[tracking_no], latest_collect_at=now + timedelta(days=5))
    reports.reject_report(rt.uow(), reviewer, rejected,
                          note="未见停收通知 No carrier notice attached")
    report(ReportKind.STORE, ReportReason.EPIDEMIC_CONTROL,
           "仓库所在城市临时管控 The warehouse city is locked down", "whole store",
           window_start=now + timedelta(days=3), window_end=now + timedelta(days=6),
           latest_ship_at=now + timedelta(days=10))
    made.reports = [(id_, kind, named, report_queries.get_report(rt.uow(), reviewer, id_).status)
                    for id_, kind, named, _ in made.reports]

    for order_no in (f"{prefix}-{suffix}" for suffix in ORDER_SUFFIXES):
        state = cards.get_negotiation(rt.uow(), ADMIN, order_no).state
        made.orders.append((order_no, state))
    return made
