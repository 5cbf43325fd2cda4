"""Helpers the webhook tests share: subscribing over the API, a worker on the test's clock,
and the delivery rows as the database holds them."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from models import Event, WebhookDelivery
from negotiation.runtime import Runtime
from negotiation.worker import Worker

API = "/api/v1"
ENDPOINTS = f"{API}/webhook-endpoints"


def subscribe(client: Any, actor: Any, url: str, types: list[str] | None = None,
              **extra: Any) -> dict[str, Any]:
    response = client.post(ENDPOINTS, headers=actor.headers,
                           json={"url": url, "event_types": types or ["*"], **extra})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def deliveries(client: Any, actor: Any, endpoint_id: int, **query: Any) -> list[dict]:
    response = client.get(f"{ENDPOINTS}/{endpoint_id}/deliveries", headers=actor.headers,
                          query_string={"limit": 500, **query})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def worker(rt: Runtime, *, jitter: float = 0.0) -> Worker:
    """A worker whose back-off has a known jitter (a share of the delay, 0 to 1)."""
    return Worker(rt, sweep_batch_size=100, key_retention=timedelta(hours=48),
                  poll_seconds=0.05, jitter=lambda: jitter)


def run_once(rt: Runtime, **kwargs: Any) -> Any:
    w = worker(rt, **kwargs)
    try:
        return w.run_once()
    finally:
        w.close()


def delivery_rows(rt: Runtime) -> list[WebhookDelivery]:
    with rt.sessions() as session:
        rows = list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        session.expunge_all()
        return rows


def event_count(rt: Runtime, *types: str) -> int:
    with rt.sessions() as session:
        query = select(func.count()).select_from(Event)
        if types:
            query = query.where(Event.type.in_(types))
        return session.scalar(query) or 0


def served_in_feed(client: Any, actor: Any, event_type: str, timeout: float = 10) -> list[dict]:
    """The feed's items of a type, once it serves any. On PostgreSQL the feed holds back
    events while any older transaction of the server still runs (API.md, *Change feed*):
    another database's long transaction delays them, never loses them."""
    until = time.monotonic() + timeout
    while True:
        items = client.get(f"{API}/events", headers=actor.headers,
                           query_string={"type": event_type}).get_json()["items"]
        if items or time.monotonic() > until:
            return items
        time.sleep(0.1)
