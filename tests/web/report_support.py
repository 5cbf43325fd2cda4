"""What the delay-report page tests share: times as typed, files, filing through the service."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from negotiation.domain.enums import ReportKind, ReportReason, Role
from negotiation.services.accounts import stores
from negotiation.services.orders import orders
from negotiation.services.reports import queries as report_queries
from negotiation.services.reports import reports
from negotiation.services.reports.views import ReportView
from tests.conftest import ADMIN, START

NEW = "/reports/new"
LIST = "/reports"
DAY = timedelta(days=1)
SHIP_BY = START + timedelta(hours=47)  # world.order's default: 2026-11-24 07:00 Shanghai
# Shanghai wall time as a datetime-local input sends it, and the UTC instant it means.
IN_SIX_DAYS = "2026-11-28T08:00"  # = START + 6 days
DESCRIPTION = "暴雪封路 A snowstorm closed the roads out of the warehouse."

# The smallest files each recognised type is told by (content, not name).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 32
NOT_EVIDENCE = b"MZ\x90\x00 an executable, whatever its name says"


def page_of(report_id: int) -> str:
    return f"/reports/{report_id}"


def shipment_form(**overrides: str) -> dict[str, str]:
    """What a seller types for a shipment report of O-1, the other inputs left blank."""
    return {"kind": "shipment", "reason": "natural_disaster", "order_nos": "O-1",
            "tracking_nos": "", "window_start": "", "window_end": "",
            "latest_ship_at": IN_SIX_DAYS, "latest_collect_at": "",
            "description": DESCRIPTION, **overrides}


def file_shipment(rt: Any, seller: Any, *order_nos: str, days: int = 6,
                  reason: ReportReason = ReportReason.NATURAL_DISASTER) -> ReportView:
    return reports.file_report(
        rt.uow(), seller.caller, kind=ReportKind.SHIPMENT, reason=reason,
        description=DESCRIPTION, order_nos=list(order_nos or ("O-1",)),
        latest_ship_at=START + days * DAY)


def stored_reports(rt: Any, reader: Any) -> list[ReportView]:
    return report_queries.list_reports(rt.uow(), reader.caller, limit=100).items


def other_store_owner(world: Any, rt: Any) -> Any:
    other = stores.create_store(rt.uow(), ADMIN, name="Other store")
    return world.actor(Role.OWNER, "other owner", other.id)


def ship(rt: Any, seller: Any, order_no: str, tracking_no: str) -> None:
    orders.ship_order(rt.uow(), seller.caller, order_no, carrier="SF", tracking_no=tracking_no)


def field_errors(page: str, name: str) -> str:
    """The messages drawn beside the input ``name`` (empty when there are none)."""
    found = re.search(rf'<ul class="errors" id="{name}-errors">(.*?)</ul>', page, re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""


def rows(page: str) -> list[str]:
    """The body rows of the page's table, as markup."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr\b.*?</tr>", body, re.DOTALL)
