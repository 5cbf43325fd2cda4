"""A store report's window as the database selects it is ``reporting.in_window``: the
query that finds the orders a store report covers is held to the rule at its edges."""

from __future__ import annotations

from datetime import timedelta

from negotiation.domain import reporting
from tests.conftest import World

SECOND = timedelta(seconds=1)
TICK = timedelta(microseconds=1)


def test_the_orders_in_a_window_are_those_in_window_admits(world: World) -> None:
    now = world.rt.clock.now()
    start, end = now + timedelta(hours=10), now + timedelta(hours=34)
    deadlines = [start - SECOND, start - TICK, start, start + TICK, start + timedelta(hours=5),
                 end - SECOND, end - TICK, end, end + TICK, end + SECOND]
    placed = {world.order(f"W-{i}", ship_by=deadline): deadline
              for i, deadline in enumerate(deadlines)}
    uow = world.rt.uow()
    with uow:
        selected = set(uow.reports.orders_in_window(world.store_id, start, end).values())
    admitted = {no for no, deadline in placed.items()
                if reporting.in_window(start, end, deadline)}
    assert selected == admitted
    assert {"W-2", "W-3", "W-6"} <= admitted and not {"W-1", "W-7"} & admitted
