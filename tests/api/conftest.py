"""Fixtures several API test modules share."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.assessment_helpers import SHIP_BY, read_order, shipped
from tests.api.report_helpers import PDF, created, file_shipment, upload


@pytest.fixture
def late_and_reported(client, world, clock):
    """O-1 shipped late (a violation, a deduction, compensation); O-2 with a delay report
    carrying evidence: events a buyer may and may not see."""
    world.order("O-1", ship_by=SHIP_BY)
    world.order("O-2", ship_by=SHIP_BY)
    filed = created(file_shipment(client, world.owner, "O-2", latest=SHIP_BY + timedelta(days=2)))
    assert upload(client, world.agent, filed["id"], PDF, filename="n.pdf").status_code == 201
    clock.set(SHIP_BY + timedelta(hours=1))
    read_order(client, world.owner)
    shipped(client, world.owner, "O-1")
    return filed
