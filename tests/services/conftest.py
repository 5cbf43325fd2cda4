"""The service ring's fixtures: a frozen clock at START and a unit of work holding O-1."""

from __future__ import annotations

import pytest

from negotiation.clock import FrozenClock
from tests.conftest import START
from tests.services.fakes import FakeUnitOfWork


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def uow(clock: FrozenClock) -> FakeUnitOfWork:
    unit = FakeUnitOfWork(clock)
    unit.add_order("O-1")
    return unit
