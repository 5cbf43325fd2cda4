"""What the assessment page tests share: the deadlines of world.order, the sweep, the
ledger and timeline read through the services, and tables read off a page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from negotiation.services.assessment import queries as assessment_queries
from negotiation.services.assessment.views import LedgerEntryView
from negotiation.services.core.sweep import sweep
from negotiation.services.orders import orders
from tests.conftest import START

HOUR = timedelta(hours=1)
# world.order, created at START: paid START - 1 h, ship by START + 47 h
# (2026-11-24 07:00 Shanghai), collected by paid + 72 h = START + 71 h (2026-11-25 07:00).
SHIP_BY = START + 47 * HOUR
COLLECT_BY = START + 71 * HOUR


def pass_deadlines(rt: Any, clock: Any, at: Any) -> None:
    """Move time to ``at`` and let the sweep record what fell due, as it would in service."""
    clock.set(at)
    sweep(rt.uow)


def ledger(rt: Any, reader: Any, store_id: int) -> list[LedgerEntryView]:
    return assessment_queries.store_penalties(rt.uow(), reader.caller, store_id,
                                              limit=500).items


def event_types(rt: Any, reader: Any, order_no: str) -> list[str]:
    return [e.type for e in orders.list_events(rt.uow(), reader.caller, order_no,
                                               limit=500).items]


def table(page: str, css_class: str) -> list[list[str]]:
    """The body rows of the table with ``css_class``, each as the text of its cells."""
    found = re.search(rf'<table class="{css_class}">(.*?)</table>', page, re.DOTALL)
    assert found, f"no table {css_class!r} on the page"
    body = found.group(1).split("<tbody>", 1)[1]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
            for row in re.findall(r"<tr\b.*?</tr>", body, re.DOTALL)]


def input_value(page: str, name: str) -> str | None:
    """The value an input ``name`` shows, or None when the page draws no such input."""
    tag = re.search(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def next_link(page: str) -> str:
    """Where the page's "more" link leads, or "" when it has none."""
    found = re.search(r'<a rel="next" href="([^"]*)">(?:更多|下一页)', page)
    return found.group(1) if found else ""
