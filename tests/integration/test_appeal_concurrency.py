"""Appeals under real concurrency (PostgreSQL): reviewers deciding one appeal at once
yield one decision and one reversal of its charges.

The guard under test: the appeal row lock every decision takes first. Without it each
reviewer reads the appeal pending, and each overturn records its own decision.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models import LedgerEntry
from negotiation.domain.enums import AppealReason, LedgerKind, Role
from negotiation.domain.errors import DomainError, Refused
from negotiation.services.appeals import appeals
from negotiation.services.appeals import queries as appeal_queries
from negotiation.services.appeals.views import AppealView
from tests.api.report_helpers import SHIP_BY
from tests.integration.support import event_counts
from tests.integration.test_concurrency import run_together

THREADS = 8


@pytest.mark.postgres
def test_reviewers_deciding_one_appeal_at_once_yield_one_decision_and_one_reversal(
        rt, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY + timedelta(hours=1))
    _, [violation] = appeal_queries.order_violations(rt.uow(), world.owner.caller, "O-1")
    assert violation.id is not None
    appeal = appeals.file_appeal(rt.uow(), world.agent.caller, violation.id,
                                 reason=AppealReason.CARRIER_FAULT, description="Collected")
    reviewers = [world.reviewer, *(world.actor(Role.REVIEWER, f"reviewer {i}")
                                   for i in range(1, THREADS))]

    def decide(i: int) -> Any:
        use_case = appeals.uphold_appeal if i % 2 else appeals.overturn_appeal
        return lambda: use_case(rt.uow(), reviewers[i].caller, appeal.id, note=f"reviewer {i}")

    results = run_together(*(decide(i) for i in range(THREADS)))
    assert [r for r in results if not isinstance(r, AppealView | DomainError)] == []
    won = [r for r in results if isinstance(r, AppealView)]
    assert len(won) == 1, [(w.state, w.review_note) for w in won]
    assert all(isinstance(r, Refused) and r.code == "appeal_not_pending"
               for r in results if isinstance(r, DomainError))
    counts = event_counts(rt, "O-1")
    assert counts["appeal.upheld"] + counts["appeal.overturned"] == 1
    with rt.sessions() as session:
        reversals = session.scalar(select(func.count()).select_from(LedgerEntry)
                                   .where(LedgerEntry.kind == LedgerKind.REVERSAL))
    charged = 2  # the deduction and the buyer's compensation
    assert reversals == (charged if won[0].state == "overturned" else 0)
