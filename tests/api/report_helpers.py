"""Helpers the delay-report API tests share: filing, deciding, listing, uploading."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from models import Order
from negotiation import create_app
from negotiation.domain.enums import OrderStatus, Role
from negotiation.services.accounts import stores
from tests.api.helpers import API, iso
from tests.conftest import ADMIN, ADMIN_TOKEN, START

REPORTS = f"{API}/delay-reports"
PAID_AT = START - timedelta(hours=1)  # the default payment time of world.order
SHIP_BY = START + timedelta(hours=47)  # the default deadline of world.order
COLLECT_BY = PAID_AT + timedelta(hours=72)  # normal ship mode: 72 h after payment
HORIZON = timedelta(days=15)  # policy.report_horizon
REVIEW_WINDOW = timedelta(hours=48)  # policy.review_window
SECOND = timedelta(seconds=1)
DESCRIPTION = "A snowstorm closed the roads out of the warehouse."

# The smallest files each recognised type is told by (RULES.md: content, not name).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
GIF87 = b"GIF87a" + b"\x00" * 32
GIF89 = b"GIF89a" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 32


# --- the app, with a policy of the test's choosing -------------------------------------


def make_app(database_url: str, clock: Any, tmp_path: Path,
             policy: dict[str, Any] | None = None, **config: Any) -> Any:
    """The app of tests/conftest.py, with evidence under ``tmp_path`` and ``policy``."""
    return create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "SECRET_KEY": "test-secret",
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "POLICY": policy or {},
        **config,
    }, clock=clock)


# --- filing ----------------------------------------------------------------------------


def file_report(client: Any, actor: Any, *, kind: str, headers: dict[str, str] | None = None,
                **fields: Any) -> Any:
    """POST a report; instants may be given as datetimes."""
    body: dict[str, Any] = {"kind": kind, "reason": "natural_disaster",
                            "description": DESCRIPTION}
    for name, value in fields.items():
        body[name] = iso(value) if isinstance(value, datetime) else value
    return client.post(REPORTS, headers=actor.headers if headers is None else headers, json=body)


def file_shipment(client: Any, actor: Any, *order_nos: str,
                  latest: datetime = SHIP_BY + timedelta(days=3), **fields: Any) -> Any:
    return file_report(client, actor, kind="shipment", order_nos=list(order_nos or ["O-1"]),
                       latest_ship_at=latest, **fields)


def file_collection(client: Any, actor: Any, *tracking_nos: str,
                    latest: datetime = COLLECT_BY + timedelta(days=3), **fields: Any) -> Any:
    return file_report(client, actor, kind="collection",
                       tracking_nos=list(tracking_nos or ["SF1000001"]),
                       latest_collect_at=latest, **fields)


def file_store(client: Any, actor: Any, start: datetime, end: datetime,
               latest: datetime, **fields: Any) -> Any:
    return file_report(client, actor, kind="store", window_start=start, window_end=end,
                       latest_ship_at=latest, **fields)


def created(response: Any) -> dict[str, Any]:
    """The report a 201 answer carries."""
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


# --- deciding --------------------------------------------------------------------------


def approve(client: Any, actor: Any, report_id: int, **body: Any) -> Any:
    return client.post(f"{REPORTS}/{report_id}/approve", headers=actor.headers, json=body)


def reject(client: Any, actor: Any, report_id: int, note: str | None = "Not a force majeure.",
           **body: Any) -> Any:
    if note is not None:
        body["note"] = note
    return client.post(f"{REPORTS}/{report_id}/reject", headers=actor.headers, json=body)


def withdraw(client: Any, actor: Any, report_id: int) -> Any:
    return client.post(f"{REPORTS}/{report_id}/withdraw", headers=actor.headers)


def approved(client: Any, world: Any, report_id: int) -> dict[str, Any]:
    response = approve(client, world.reviewer, report_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# --- reading ---------------------------------------------------------------------------


def report(client: Any, actor: Any, report_id: int) -> dict[str, Any]:
    response = client.get(f"{REPORTS}/{report_id}", headers=actor.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def listed(client: Any, actor: Any, query: str = "") -> list[dict[str, Any]]:
    """Every report the caller lists, following cursors to the end."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        url = f"{REPORTS}?{query}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=actor.headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        items += response.get_json()["items"]
        cursor = response.get_json()["next_cursor"]
        if cursor is None:
            return items


def listed_ids(client: Any, actor: Any, query: str = "") -> list[int]:
    return [item["id"] for item in listed(client, actor, query)]


# --- the world around a report ---------------------------------------------------------


def other_store(world: Any) -> tuple[int, Any, Any]:
    """A second store with its own owner and agent."""
    store = stores.create_store(world.rt.uow(), ADMIN, name="Other store")
    return (store.id, world.actor(Role.OWNER, "other owner", store.id),
            world.actor(Role.AGENT, "other agent", store.id))


def create_order(client: Any, world: Any, order_no: str, **fields: Any) -> dict[str, Any]:
    """An order made through the API by the admin (for ship modes world.order lacks)."""
    body: dict[str, Any] = {"order_no": order_no, "store_id": world.store_id,
                            "buyer_id": world.buyer.id, "amount": "100.00",
                            "paid_at": PAID_AT}
    body.update(fields)
    body = {k: iso(v) if isinstance(v, datetime) else v for k, v in body.items()}
    response = client.post(f"{API}/orders", headers=world.admin_headers, json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def close_order(world: Any, order_no: str) -> None:
    """No endpoint closes an order yet (the 150-day auto-close is a sweep rule): the
    test puts the order in that state in the database."""
    with world.rt.uow() as uow:
        uow.session.execute(update(Order).where(Order.order_no == order_no)
                            .values(status=OrderStatus.CLOSED))
        uow.commit()


# --- evidence --------------------------------------------------------------------------


def upload(client: Any, actor: Any, report_id: int, data: bytes,
           filename: str = "photo.jpg", content_type: str = "application/octet-stream",
           headers: dict[str, str] | None = None) -> Any:
    """POST one file as the multipart field ``file``.

    The body is built here rather than by the test client, whose encoder spools large
    files to a temporary file it never closes (a ResourceWarning, an error in this suite).
    """
    body, mimetype = multipart(data, filename, content_type)
    return client.post(f"{REPORTS}/{report_id}/evidence",
                       headers=actor.headers if headers is None else headers,
                       data=body, content_type=mimetype)


def multipart(data: bytes, filename: str = "photo.jpg",
              content_type: str = "application/octet-stream", field: str = "file",
              boundary: str = "report-evidence-boundary") -> tuple[bytes, str]:
    """A multipart body with one file part, and the content type that announces it."""
    head = (f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}")
