"""Delay reports under real concurrency (PostgreSQL): one decision, one report per order.

The guards under test: the report row lock every decision takes first, and the locks on
the orders (or, for store reports, the store) that filing takes before it looks for
another report covering them. A thread may be refused, never fail any other way.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models import DelayReport, ReportHistoryEntry
from negotiation.domain.enums import ReportKind, ReportReason, ReportStatus, Role
from negotiation.domain.errors import DomainError, Refused
from negotiation.services.reports import reports
from negotiation.services.reports.views import ReportView
from tests.conftest import START
from tests.integration.support import event_counts, order_row
from tests.integration.test_concurrency import run_together

THREADS = 10
DAY = timedelta(days=1)


def file_shipment_report(rt, seller, *order_nos: str, days: int = 4) -> ReportView:
    return reports.file_report(
        rt.uow(), seller.caller, kind=ReportKind.SHIPMENT, reason=ReportReason.NATURAL_DISASTER,
        description="Flooded roads", order_nos=list(order_nos),
        latest_ship_at=START + days * DAY)


def outcomes(results: list[Any]) -> tuple[list[Any], list[DomainError]]:
    unexpected = [r for r in results if not isinstance(r, ReportView | DomainError)]
    assert unexpected == [], f"threads failed outside the rules: {unexpected!r}"
    return ([r for r in results if isinstance(r, ReportView)],
            [r for r in results if isinstance(r, DomainError)])


def history_actions(rt, report_id: int) -> Counter[str]:
    with rt.sessions() as session:
        return Counter(session.scalars(select(ReportHistoryEntry.action).where(
            ReportHistoryEntry.report_id == report_id)))


@pytest.mark.postgres
def test_reviewers_deciding_one_report_at_once_yield_exactly_one_decision(rt, world):
    world.order("O-1")
    world.order("O-2")
    report = file_shipment_report(rt, world.owner, "O-1", "O-2")
    reviewers = [world.reviewer, *(world.actor(Role.REVIEWER, f"reviewer {i}")
                                   for i in range(1, THREADS))]

    def decide(i: int) -> Any:
        if i % 2:
            return lambda: reports.reject_report(rt.uow(), reviewers[i].caller, report.id,
                                                 note=f"reviewer {i}: no proof")
        return lambda: reports.approve_report(rt.uow(), reviewers[i].caller, report.id,
                                              note=f"reviewer {i}: fine")

    won, refused = outcomes(run_together(*(decide(i) for i in range(THREADS))))
    assert len(won) == 1, [(w.status, w.review_note) for w in won]
    assert all(isinstance(r, Refused) and r.code == "report_not_pending" for r in refused)
    decision = won[0].status
    actions = history_actions(rt, report.id)
    assert actions == Counter({"submitted": 1, decision: 1}), actions
    for order_no in ("O-1", "O-2"):
        counts = event_counts(rt, order_no)
        assert counts[f"report.{decision}"] == 1
        assert counts["order.deadline_changed"] == (1 if decision == "approved" else 0)
        expected_source = "delay_report" if decision == "approved" else "original"
        assert order_row(rt, order_no).ship_by_source.value == expected_source


@pytest.mark.postgres
def test_a_withdrawal_racing_an_approval_has_exactly_one_outcome(rt, world):
    world.order("O-1")
    report = file_shipment_report(rt, world.owner, "O-1")
    jobs = [lambda: reports.approve_report(rt.uow(), world.reviewer.caller, report.id),
            lambda: reports.withdraw_report(rt.uow(), world.agent.caller, report.id)] * 4
    won, refused = outcomes(run_together(*jobs))
    assert len(won) == 1
    assert all(r.code == "report_not_pending" for r in refused)
    with rt.sessions() as session:
        status = session.scalar(select(DelayReport.status).where(DelayReport.id == report.id))
    assert status is ReportStatus(won[0].status)
    moved = order_row(rt, "O-1").ship_by == START + 4 * DAY
    assert moved is (status is ReportStatus.APPROVED)


@pytest.mark.postgres
def test_simultaneous_reports_naming_one_order_leave_exactly_one(rt, world):
    world.order("O-1")
    world.order("O-2")
    sellers = [world.owner, world.agent]
    # Half name O-1 alone, half name both: every pair overlaps on O-1.
    jobs = [(lambda i=i: file_shipment_report(rt, sellers[i % 2], *(
        ("O-1",) if i % 2 else ("O-2", "O-1")), days=3 + i % 3)) for i in range(THREADS)]
    won, refused = outcomes(run_together(*jobs))
    assert len(won) == 1
    assert all(r.code == "report_not_applicable" for r in refused), [r.code for r in refused]
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DelayReport)) == 1
    assert event_counts(rt, "O-1")["report.submitted"] == 1


@pytest.mark.postgres
def test_simultaneous_store_reports_with_overlapping_windows_leave_exactly_one(rt, world):
    def job(i: int) -> Any:
        start = START + i * timedelta(hours=1)
        return lambda: reports.file_report(
            rt.uow(), world.owner.caller, kind=ReportKind.STORE,
            reason=ReportReason.EPIDEMIC_CONTROL, description="Warehouse city locked down",
            window_start=start, window_end=start + 2 * DAY, latest_ship_at=start + 5 * DAY)

    won, refused = outcomes(run_together(*(job(i) for i in range(THREADS))))
    assert len(won) == 1
    assert all(r.code == "report_not_applicable" for r in refused), [r.code for r in refused]
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DelayReport)) == 1
