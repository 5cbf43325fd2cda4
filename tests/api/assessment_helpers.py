"""Helpers the assessment API tests share: scans, assessments and their previews, the
penalty ledger, regional exemptions and extensions, and instants on the business day.

Everything goes through the Flask test client; amounts are compared as the API writes
them (strings with two decimals) or as ``Decimal``, never as floats.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tests.api.helpers import API, event_types, events, iso
from tests.api.report_helpers import COLLECT_BY, PAID_AT, SHIP_BY
from tests.conftest import START

__all__ = ["COLLECT_BY", "PAID_AT", "SHIP_BY", "START"]

SECOND = timedelta(seconds=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
REGION = "Zhejiang"  # the region of the world's store, hence of world.order's orders
EXEMPTIONS = f"{API}/exemptions"
EXTENSIONS = f"{API}/regional-extensions"
AUTO_CLOSE = timedelta(days=150)  # policy.auto_close_after
EXTENSION = timedelta(days=14)  # policy.regional_extension
VIOLATION_EVENTS = ("violation.late_shipment", "violation.collection_timeout",
                    "penalty.deducted", "compensation.paid", "violation.exempted",
                    "penalty.revoked", "product.banned", "order.closed", "order.refunded")


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
             second: int = 0) -> datetime:
    """A wall-clock instant in Asia/Shanghai (the business zone)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def money(value: Any) -> str:
    """An amount as the API writes it: a string with two decimals."""
    return f"{Decimal(str(value)):.2f}"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


# --- orders, stores, shipping ----------------------------------------------------------


def new_store(client: Any, world: Any, **fields: Any) -> dict[str, Any]:
    body = {"name": "Another store", **fields}
    return ok(client.post(f"{API}/stores", headers=world.admin_headers, json=body), 201)


def new_order(client: Any, world: Any, order_no: str, **fields: Any) -> dict[str, Any]:
    """An order created through the API by the admin; instants may be datetimes."""
    body: dict[str, Any] = {"order_no": order_no, "store_id": world.store_id,
                            "buyer_id": world.buyer.id, "amount": "100.00",
                            "paid_at": PAID_AT}
    body.update(fields)
    body = {k: iso(v) if isinstance(v, datetime) else v for k, v in body.items()}
    return ok(client.post(f"{API}/orders", headers=world.admin_headers, json=body), 201)


def shipped(client: Any, actor: Any, order_no: str = "O-1",
            tracking_no: str = "SF1000001") -> dict[str, Any]:
    response = client.post(f"{API}/orders/{order_no}/shipments", headers=actor.headers,
                           json={"carrier": "SF Express", "tracking_no": tracking_no})
    return ok(response, 201)


def read_order(client: Any, actor: Any, order_no: str = "O-1") -> dict[str, Any]:
    return ok(client.get(f"{API}/orders/{order_no}", headers=actor.headers))


# --- scans -----------------------------------------------------------------------------


def scan(client: Any, headers: dict[str, str], tracking_no: str = "SF1000001", *,
         at: datetime | str | None, kind: str | None = "collected") -> Any:
    body: dict[str, Any] = {}
    if kind is not None:
        body["kind"] = kind
    if at is not None:
        body["at"] = iso(at) if isinstance(at, datetime) else at
    return client.post(f"{API}/shipments/{tracking_no}/scans", headers=headers, json=body)


def scanned(client: Any, world: Any, tracking_no: str = "SF1000001", *,
            at: datetime, kind: str = "collected") -> dict[str, Any]:
    return ok(scan(client, world.admin_headers, tracking_no, at=at, kind=kind), 201)


# --- an order's assessment -------------------------------------------------------------


def assessment(client: Any, actor: Any, order_no: str = "O-1",
               ship_at: datetime | str | None = None,
               headers: dict[str, str] | None = None) -> Any:
    url = f"{API}/orders/{order_no}/assessment"
    if ship_at is not None:
        url += "?" + urlencode({"ship_at": iso(ship_at) if isinstance(ship_at, datetime)
                                else ship_at})
    return client.get(url, headers=actor.headers if headers is None else headers)


def assessed(client: Any, actor: Any, order_no: str = "O-1",
             ship_at: datetime | None = None) -> dict[str, Any]:
    return ok(assessment(client, actor, order_no, ship_at))


def violations(client: Any, actor: Any, order_no: str = "O-1") -> list[dict[str, Any]]:
    return assessed(client, actor, order_no)["violations"]


def violation(kind: str, due_at: datetime, detected_at: datetime | None,
              exempted_by: str | None = None, recorded: bool = True,
              disproved_at: datetime | None = None) -> dict[str, Any]:
    """A violation as the API shows it."""
    return {"kind": kind, "due_at": iso(due_at),
            "detected_at": None if detected_at is None else iso(detected_at),
            "exempted_by": exempted_by,
            "disproved_at": None if disproved_at is None else iso(disproved_at),
            "recorded": recorded}


def assessment_events(client: Any, actor: Any, order_no: str = "O-1") -> list[dict[str, Any]]:
    """The order's events that the assessment wrote (violations, charges, the close)."""
    return [e for e in events(client, actor, order_no) if e["type"] in VIOLATION_EVENTS]


def assessment_event_types(client: Any, actor: Any, order_no: str = "O-1") -> list[str]:
    return [t for t in event_types(client, actor, order_no) if t in VIOLATION_EVENTS]


# --- the ledger ------------------------------------------------------------------------


def penalties(client: Any, actor: Any, store_id: int, headers: dict[str, str] | None = None,
              **query: Any) -> Any:
    """GET the ledger; ``from_`` stands for ``from``; dates may be ``date`` objects."""
    params = {("from" if k == "from_" else k): str(v) for k, v in query.items()
              if v is not None}
    url = f"{API}/stores/{store_id}/penalties" + (f"?{urlencode(params)}" if params else "")
    return client.get(url, headers=actor.headers if headers is None else headers)


def ledger(client: Any, actor: Any, store_id: int, **query: Any) -> dict[str, Any]:
    """The whole ledger of the range, following cursors: the first page's totals and
    days, with every page's items."""
    page = ok(penalties(client, actor, store_id, **query))
    whole, seen = dict(page), 1
    while page["next_cursor"] is not None:
        page = ok(penalties(client, actor, store_id, cursor=page["next_cursor"], **query))
        assert page["totals"] == whole["totals"] and page["days"] == whole["days"]
        whole["items"] = whole["items"] + page["items"]
        seen += 1
        assert seen < 1000, "the cursors never end"
    whole["next_cursor"] = None
    return whole


def entries(client: Any, world: Any, order_no: str | None = None,
            kind: str | None = None, **query: Any) -> list[dict[str, Any]]:
    """The world store's ledger entries (as its reviewer sees them), maybe of one order
    or one kind. Reading the ledger settles no order: it shows what is recorded."""
    items = ledger(client, world.reviewer, world.store_id, **query)["items"]
    return [e for e in items if (order_no is None or e["order_no"] == order_no)
            and (kind is None or e["kind"] == kind)]


def total(items: list[dict[str, Any]], field: str = "amount") -> Decimal:
    return sum((Decimal(e[field]) for e in items), Decimal("0"))


# --- regional decisions ----------------------------------------------------------------


def exempt(client: Any, actor: Any, *, starts_at: datetime | str, ends_at: datetime | str,
           kinds: Any = ("late_shipment", "collection_timeout"), region: str = REGION,
           headers: dict[str, str] | None = None, **extra: Any) -> Any:
    body = {"region": region,
            "starts_at": iso(starts_at) if isinstance(starts_at, datetime) else starts_at,
            "ends_at": iso(ends_at) if isinstance(ends_at, datetime) else ends_at,
            "kinds": list(kinds) if isinstance(kinds, tuple) else kinds, **extra}
    return client.post(EXEMPTIONS, headers=actor.headers if headers is None else headers,
                       json=body)


def extend(client: Any, actor: Any, *, starts_at: datetime, ends_at: datetime,
           cause: str = "high_risk", region: str = REGION,
           headers: dict[str, str] | None = None, **extra: Any) -> Any:
    body = {"region": region, "cause": cause, "starts_at": iso(starts_at),
            "ends_at": iso(ends_at), **extra}
    return client.post(EXTENSIONS, headers=actor.headers if headers is None else headers,
                       json=body)


# --- the sweep -------------------------------------------------------------------------


def run_sweep(runner: Any) -> str:
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    return result.output
