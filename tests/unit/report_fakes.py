"""A plain stand-in for a delay report: the rules of :mod:`negotiation.domain.reporting`
read and write only these attributes, so a test builds one in a line and needs no database.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from negotiation.domain.enums import ReportKind, ReportReason, ReportStatus
from tests.unit.fakes import DEADLINE, POLICY, START, STORE_ID

SUBMITTED = START
DUE = SUBMITTED + POLICY.review_window

_ids = itertools.count(1)


@dataclass
class FakeReport:
    kind: ReportKind = ReportKind.SHIPMENT
    status: ReportStatus = ReportStatus.PENDING_REVIEW
    store_id: int = STORE_ID
    window_start: datetime | None = None
    window_end: datetime | None = None
    latest_ship_at: datetime | None = DEADLINE + timedelta(days=3)
    latest_collect_at: datetime | None = None
    submitted_at: datetime = SUBMITTED
    review_due_at: datetime = DUE
    reviewed_at: datetime | None = None
    reviewed_by: int | None = None
    review_note: str | None = None
    reason: ReportReason = ReportReason.NATURAL_DISASTER
    id: int = field(default_factory=lambda: next(_ids))


def report(**fields: Any) -> FakeReport:
    """A pending shipment report of store 1, submitted at ``START``, due 48 h later."""
    return FakeReport(**fields)
