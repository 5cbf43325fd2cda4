"""Two reviewers ending one regional exemption at the same moment (PostgreSQL).

The guard under test: ending locks the declaration's row before it looks at whether it
is over. The second reviewer waits for the first to commit and is then refused, so an
end is recorded once, by one reviewer.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from negotiation.adapters.assessment_repository import AssessmentRepository
from negotiation.domain.enums import Role, ViolationKind
from negotiation.domain.errors import Refused
from negotiation.services.assessment import regions
from tests.conftest import START

FIRST = "first"


@pytest.mark.postgres
def test_two_reviewers_ending_one_exemption_at_once_end_it_once(rt, world, monkeypatch):
    declared = regions.declare_exemption(
        rt.uow(), world.reviewer.caller, region="Zhejiang", starts_at=START,
        ends_at=START + timedelta(days=1), kinds=[ViolationKind.LATE_SHIPMENT]).id
    other = world.actor(Role.REVIEWER, "second reviewer")
    has_read, go_on = threading.Event(), threading.Event()
    real = AssessmentRepository.declaration_to_end

    def read_then_wait(self: AssessmentRepository, *args: Any) -> Any:
        found = real(self, *args)
        if threading.current_thread().name == FIRST:
            has_read.set()
            assert go_on.wait(30), "the test never let the first end go on"
        return found

    monkeypatch.setattr(AssessmentRepository, "declaration_to_end", read_then_wait)
    outcomes: dict[str, Any] = {}

    def end(who: Any, name: str) -> None:
        try:
            outcomes[name] = regions.end_exemption(rt.uow(), who.caller, declared)
        except Refused as refused:
            outcomes[name] = refused.code

    first = threading.Thread(target=end, args=(world.reviewer, FIRST), name=FIRST)
    first.start()
    assert has_read.wait(30), "the first end never read the exemption"
    second = threading.Thread(target=end, args=(other, "second"))
    second.start()
    second.join(1.0)  # guarded, it waits for the first; unguarded, it is done by now
    go_on.set()
    for thread in (first, second):
        thread.join(30)
        assert not thread.is_alive(), "a thread hung"
    assert outcomes["second"] == "declaration_ended"
    assert outcomes[FIRST].ended_by == world.reviewer.id
