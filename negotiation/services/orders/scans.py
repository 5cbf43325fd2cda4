"""Carrier scans: the carrier feed reports that a parcel was collected, then moved."""

from __future__ import annotations

from datetime import datetime

from models import Scan
from negotiation.clock import iso_utc
from negotiation.domain.caller import Caller
from negotiation.domain.enums import Role, ScanKind
from negotiation.domain.errors import Forbidden, InvalidInput, NotFound
from negotiation.domain.events import DomainEvent
from negotiation.services.assessment import assessment
from negotiation.services.assessment.views import ScanView
from negotiation.services.core.settling import record, settle_order
from negotiation.services.core.unit_of_work import UnitOfWork


def record_scan(uow: UnitOfWork, caller: Caller, tracking_no: str, *, kind: ScanKind,
                at: datetime) -> ScanView:
    """Record one scan. The earliest collection scan is the shipment's first collection
    time, against which the collection deadline is judged (seed 004)."""
    if caller.role is not Role.ADMIN:
        raise Forbidden("Scans come from the carrier feed, with an admin token.")
    with uow:
        shipment = uow.assessment.shipment(tracking_no)
        order = uow.orders.order_by_id(shipment.order_id, lock=True) if shipment else None
        if shipment is None or order is None or not caller.may_see(order):
            raise NotFound(f"No shipment {tracking_no}.")
        shipment = uow.reports.shipment_as_it_is(shipment)  # now we hold the order's lock
        if at > uow.now:
            raise InvalidInput("at is in the future.", field="at")
        if at < order.paid_at:
            raise InvalidInput("at is before the order was paid.", field="at")
        scan = Scan(shipment_id=shipment.id, kind=kind, at=at, recorded_at=uow.now)
        uow.add(scan)
        # Taken first, then settled: a scan taken in time but reported after the
        # deadline must not be judged as if the parcel were still waiting.
        if kind is ScanKind.COLLECTED and (shipment.collected_at is None
                                           or at < shipment.collected_at):
            shipment.collected_at = at
        record(uow, order, [DomainEvent(f"shipment.{kind.value}", at, {
            "tracking_no": tracking_no, "recorded_at": iso_utc(uow.now)})], caller)
        settle_order(uow, order)
        # A first scan after the deadline is a collection timeout, recorded now.
        record(uow, order, assessment.assess(uow, order), None)
        uow.flush()
        view = ScanView.of(scan, tracking_no, order.order_no, shipment.collected_at,
                           order.collect_by)
        uow.commit()
        return view
