"""What an approved report stores for the deadlines that issue from it (read straight)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Shipment
from negotiation.domain.enums import ReportKind, ReportReason
from negotiation.services.orders import orders
from negotiation.services.reports import reports
from tests.conftest import START

DAY = timedelta(days=1)


def shipment_row(rt, tracking_no: str) -> Shipment:
    with rt.sessions() as session:
        return session.scalars(select(Shipment).where(Shipment.tracking_no == tracking_no)).one()


def file_collection(rt, world, *numbers: str, latest) -> int:
    return reports.file_report(
        rt.uow(), world.owner.caller, kind=ReportKind.COLLECTION,
        reason=ReportReason.MAJOR_EVENT, description="Carriers pause pickups",
        tracking_nos=list(numbers), latest_collect_at=latest).id


def test_an_approved_collection_report_moves_the_collection_deadline_of_each_number(rt, world):
    for n in (1, 2):
        world.order(f"O-{n}")
        orders.ship_order(rt.uow(), world.owner.caller, f"O-{n}", carrier="SF",
                          tracking_no=f"SF000{n}")
    report_id = file_collection(rt, world, "SF0001", "SF0002", latest=START + 5 * DAY)
    assert shipment_row(rt, "SF0001").reported_collect_by is None
    reports.approve_report(rt.uow(), world.reviewer.caller, report_id)
    assert [shipment_row(rt, n).reported_collect_by for n in ("SF0001", "SF0002")] == [
        START + 5 * DAY, START + 5 * DAY]


def test_a_rejected_collection_report_moves_nothing(rt, world):
    world.order("O-1")
    orders.ship_order(rt.uow(), world.owner.caller, "O-1", carrier="SF", tracking_no="SF0001")
    report_id = file_collection(rt, world, "SF0001", latest=START + 5 * DAY)
    reports.reject_report(rt.uow(), world.reviewer.caller, report_id, note="No notice")
    assert shipment_row(rt, "SF0001").reported_collect_by is None
