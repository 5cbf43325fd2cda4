"""Creating a region's orders while a reviewer declares for the region (PostgreSQL).

The guard under test: the region's advisory lock, taken shared by every order creation
and exclusive by every declaration. A creation that read the region's declarations just
before a new one was committed must still be reached by it: the declaration waits for
the creation to commit, then sees the new order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from negotiation.adapters.assessment_repository import AssessmentRepository
from negotiation.domain.enums import ExtensionCause, ShipBySource, ViolationKind
from negotiation.services.assessment import regions
from tests.conftest import START
from tests.integration.support import order_row

H = timedelta(hours=1)
CREATOR = "creator"


def pause_creation_after_reading(monkeypatch: pytest.MonkeyPatch, query: str) -> tuple[
        threading.Event, threading.Event]:
    """Hold the creating thread right after it read the region's declarations with
    ``query``, until told to go on: the moment a concurrent declaration could slip by."""
    has_read, go_on = threading.Event(), threading.Event()
    real = getattr(AssessmentRepository, query)

    def read_then_wait(self: AssessmentRepository, *args: Any) -> Any:
        found = real(self, *args)
        if threading.current_thread().name == CREATOR:
            has_read.set()
            assert go_on.wait(30), "the test never let the creation go on"
        return found

    monkeypatch.setattr(AssessmentRepository, query, read_then_wait)
    return has_read, go_on


def create_while_declaring(monkeypatch: pytest.MonkeyPatch, query: str,
                           create: Callable[[], Any], declare: Callable[[], Any]) -> None:
    """Create an order, and declare while the creation is between its read and commit."""
    has_read, go_on = pause_creation_after_reading(monkeypatch, query)
    failures: list[BaseException] = []

    def run(job: Callable[[], Any]) -> Callable[[], None]:
        def guarded() -> None:
            try:
                job()
            except BaseException as raised:
                failures.append(raised)
        return guarded

    creator = threading.Thread(target=run(create), name=CREATOR)
    creator.start()
    assert has_read.wait(30), "the creation never read the region's declarations"
    declarer = threading.Thread(target=run(declare))
    declarer.start()
    declarer.join(1.0)  # guarded, it waits for the creation; unguarded, it is done by now
    go_on.set()
    for thread in (creator, declarer):
        thread.join(30)
        assert not thread.is_alive(), "a thread hung"
    assert failures == []


@pytest.mark.postgres
def test_an_order_created_while_an_extension_is_declared_is_extended(rt, world, monkeypatch):
    original = START + 47 * H
    create_while_declaring(
        monkeypatch, "extensions",
        create=lambda: world.order("O-1", ship_by=original),
        declare=lambda: regions.declare_extension(
            rt.uow(), world.reviewer.caller, region="Zhejiang",
            cause=ExtensionCause.HIGH_RISK, starts_at=original - H, ends_at=original + H))
    order = order_row(rt, "O-1")
    assert order.extended_ship_by == original + rt.policy.regional_extension
    assert (order.ship_by, order.ship_by_source) == (
        original + rt.policy.regional_extension, ShipBySource.REGIONAL_EXTENSION)


@pytest.mark.postgres
def test_an_order_born_late_while_an_exemption_is_declared_is_exempted(rt, world, monkeypatch):
    missed = START - H  # created past its deadline: its late shipment is recorded at once
    create_while_declaring(
        monkeypatch, "exemptions",
        create=lambda: world.order("O-1", paid_at=START - 50 * H, ship_by=missed),
        declare=lambda: regions.declare_exemption(
            rt.uow(), world.reviewer.caller, region="Zhejiang", starts_at=missed - H,
            ends_at=missed + H, kinds=[ViolationKind.LATE_SHIPMENT]))
    with rt.uow() as uow:
        order = uow.assessment.with_assessment([uow.orders.order("O-1")])[0]
        assert [(v.kind, v.exempted_by is not None) for v in order.violations] == [
            (ViolationKind.LATE_SHIPMENT, True)]
        standing = [e for e in order.ledger_entries
                    if e.amount > 0 and e.revoked_at is None]
        assert standing == []
