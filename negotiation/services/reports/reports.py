"""Use cases of delay reports: file one, decide it, withdraw it.

Filing locks what the report names (the orders, or the store for a store report) before
it checks for another report covering them, so two simultaneous filings cannot both
pass. Deciding locks the report row first, then the orders it moves, always in the same
order, so two reviewers deciding at once yield one decision and no deadlock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models import DelayReport, Order, ReportHistoryEntry, ReportItem, Shipment
from negotiation.domain import eligibility, errors, reporting
from negotiation.domain.caller import Caller
from negotiation.domain.enums import OrderStatus, ReportKind, ReportReason, ReportStatus
from negotiation.domain.errors import InvalidInput, NotFound, Refused
from negotiation.domain.events import DomainEvent
from negotiation.services.assessment import assessment
from negotiation.services.core.settling import record, settle_order
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.reports.queries import report_detail
from negotiation.services.reports.views import ReportView


def file_report(uow: UnitOfWork, caller: Caller, *, kind: ReportKind, reason: ReportReason,
                description: str, order_nos: list[str] | None = None,
                tracking_nos: list[str] | None = None, window_start: datetime | None = None,
                window_end: datetime | None = None, latest_ship_at: datetime | None = None,
                latest_collect_at: datetime | None = None) -> ReportView:
    refusal = reporting.file_refusal(caller)
    if refusal is not None:
        raise refusal
    given = {"order_nos": order_nos, "tracking_nos": tracking_nos,
             "window_start": window_start, "window_end": window_end,
             "latest_ship_at": latest_ship_at, "latest_collect_at": latest_collect_at}
    problems = reporting.shape_problems(kind, given)
    problems.update(_text_problems(description))
    if problems:
        raise _invalid(problems)
    assert caller.store_id is not None
    with uow:
        report = DelayReport(
            store_id=caller.store_id, kind=kind, reason=reason, status=ReportStatus.PENDING_REVIEW,
            description=description.strip(), window_start=window_start, window_end=window_end,
            latest_ship_at=latest_ship_at, latest_collect_at=latest_collect_at,
            submitted_by=caller.account_id, submitted_at=uow.now,
            review_due_at=reporting.review_due_at(uow.now, uow.policy), items=[])
        if kind is ReportKind.SHIPMENT:
            orders = _named_orders(uow, caller.store_id, _distinct(order_nos or [], "order_nos",
                                                                   uow.policy.report_max_items))
            _check_shipment(uow, orders, latest_ship_at)
            report.items = [ReportItem(order_id=o.id, order_no=o.order_no) for o in orders]
        elif kind is ReportKind.COLLECTION:
            shipments = _named_shipments(uow, caller.store_id, _distinct(
                tracking_nos or [], "tracking_nos", uow.policy.report_max_items))
            _check_collection(uow, shipments, latest_collect_at)
            orders = [s.order for s in shipments]
            report.items = [ReportItem(order_id=s.order_id, order_no=s.order.order_no,
                                       tracking_no=s.tracking_no) for s in shipments]
        else:
            assert window_start and window_end and latest_ship_at
            orders = _check_store_window(uow, caller.store_id, window_start, window_end,
                                         latest_ship_at)
            report.items = [ReportItem(order_id=o.id, order_no=o.order_no) for o in orders]
        uow.add(report)
        uow.flush()
        _remember(uow, report, caller, "submitted", data={"orders": len(report.items)})
        _tell_orders(uow, orders, reporting.report_event(report, "report.submitted", uow.now),
                     caller)
        uow.commit()
        return report_detail(uow, caller, report)


def approve_report(uow: UnitOfWork, caller: Caller, report_id: int,
                   note: str | None = None) -> ReportView:
    return _decide(uow, caller, report_id, "approve", note)


def reject_report(uow: UnitOfWork, caller: Caller, report_id: int, note: str) -> ReportView:
    return _decide(uow, caller, report_id, "reject", note)


def withdraw_report(uow: UnitOfWork, caller: Caller, report_id: int) -> ReportView:
    return _decide(uow, caller, report_id, "withdraw", None)


# --- filing ----------------------------------------------------------------------------


def _text_problems(description: str) -> dict[str, str]:
    if not description.strip():
        return {"description": "Describe what happened."}
    if len(description) > reporting.TEXT_LIMIT:
        return {"description": f"At most {reporting.TEXT_LIMIT} characters."}
    return {}


def _invalid(problems: dict[str, str]) -> InvalidInput:
    named = ", ".join(sorted(problems))
    return InvalidInput(f"Invalid report: {named}.", fields=problems)


def _distinct(values: list[str], field: str, limit: int) -> list[str]:
    seen: set[str] = set()
    doubled = sorted({v for v in values if v in seen or seen.add(v)})  # type: ignore[func-returns-value]
    if doubled:
        raise _invalid({field: f"Named more than once: {', '.join(doubled)}."})
    if len(values) > limit:
        raise _invalid({field: f"At most {limit} per report."})
    return values


def _named_orders(uow: UnitOfWork, store_id: int, order_nos: list[str]) -> list[Order]:
    """The store's orders by number, locked, with what time made due applied."""
    ids = uow.reports.store_order_ids(store_id, order_nos)
    missing = [n for n in order_nos if n not in ids]
    if missing:  # another store's order reads as absent: no existence leak
        raise _invalid({"order_nos": f"No order {', '.join(missing)} in your store."})
    orders = uow.reports.lock_orders(ids.values())
    for order in orders:
        settle_order(uow, order)
    return sorted(orders, key=lambda o: order_nos.index(o.order_no))


def _named_shipments(uow: UnitOfWork, store_id: int, tracking_nos: list[str]) -> list[Shipment]:
    shipments = uow.reports.store_shipments(store_id, tracking_nos)
    missing = [n for n in tracking_nos if n not in shipments]
    if missing:
        raise _invalid({"tracking_nos": f"No shipment {', '.join(missing)} in your store."})
    uow.reports.lock_orders(s.order_id for s in shipments.values())
    return [shipments[n] for n in tracking_nos]


def _check_shipment(uow: UnitOfWork, orders: list[Order], latest: datetime | None) -> None:
    assert latest is not None
    for order in orders:
        refusal = reporting.order_refusal(order.order_no, order)
        if refusal is not None:
            raise refusal
        problem = reporting.latest_time_problem(
            latest, order.ship_by, uow.now, uow.policy,
            f"the ship deadline of order {order.order_no}")
        if problem:
            raise _invalid({"latest_ship_at": f"latest_ship_at {problem}."})
    for item, other in uow.reports.covering(ReportKind.SHIPMENT, order_ids=[o.id for o in orders]):
        raise reporting.already_covered(f"Order {item.order_no}", "order_nos", other.id,
                                        other.status)


def _check_collection(uow: UnitOfWork, shipments: list[Shipment],
                      latest: datetime | None) -> None:
    assert latest is not None
    for shipment in shipments:
        order = shipment.order
        if order.status is OrderStatus.CLOSED:
            raise Refused(f"Order {order.order_no} of {shipment.tracking_no} is closed.",
                          code=errors.REPORT_NOT_APPLICABLE, field="tracking_nos")
        problem = reporting.latest_time_problem(
            latest, collect_by(shipment, uow), uow.now, uow.policy,
            f"the collection deadline of {shipment.tracking_no}")
        if problem:
            raise _invalid({"latest_collect_at": f"latest_collect_at {problem}."})
    numbers = [s.tracking_no for s in shipments]
    for item, other in uow.reports.covering(ReportKind.COLLECTION, tracking_nos=numbers):
        raise reporting.already_covered(f"Tracking number {item.tracking_no}", "tracking_nos",
                                        other.id, other.status)


def collect_by(shipment: Shipment, uow: UnitOfWork) -> datetime:
    """The shipment's collection deadline, as its approved reports left it."""
    deadline = assessment.collection_deadline(shipment.order, shipment, uow.policy)
    assert deadline is not None  # a shipment has its upload time
    return deadline


def _check_store_window(uow: UnitOfWork, store_id: int, start: datetime, end: datetime,
                        latest: datetime) -> list[Order]:
    problems = reporting.window_problems(start, end, latest, uow.now, uow.policy)
    if problems:
        raise _invalid(problems)
    uow.reports.lock_store(store_id)
    for other in uow.reports.overlapping_store_reports(store_id, start, end):
        raise reporting.already_covered("This window", "window_start", other.id, other.status)
    return uow.reports.lock_orders(uow.reports.orders_in_window(store_id, start, end))


# --- deciding --------------------------------------------------------------------------


def _decide(uow: UnitOfWork, caller: Caller, report_id: int, trigger: str,
            note: str | None) -> ReportView:
    refusal = reporting.role_refusal(caller, trigger)
    if refusal is not None:
        raise refusal
    if note is not None and len(note) > reporting.TEXT_LIMIT:
        raise _invalid({"note": f"At most {reporting.TEXT_LIMIT} characters."})
    with uow:
        report = uow.reports.report(report_id, lock=True)
        if report is None or not reporting.may_read(caller, report):
            raise NotFound(f"No delay report {report_id}.")
        decision = reporting.decide(caller, report, trigger, uow.now, note)
        orders = _orders_to_tell(uow, report)
        event = reporting.report_event(report, f"report.{decision.status.value}", uow.now,
                                       **({"note": decision.note} if decision.note else {}))
        _tell_orders(uow, orders, event, caller)
        if decision.status is ReportStatus.APPROVED and report.kind is ReportKind.COLLECTION:
            _extend_collection(uow, report)
        elif decision.status is ReportStatus.APPROVED:
            for order in orders:
                record(uow, order, _move_ship_by(uow, report, order), caller)
        if decision.status is ReportStatus.APPROVED:
            for order in orders:  # a violation the report now covers is waived, reversed
                record(uow, order, assessment.assess(uow, order), None)
        _remember(uow, report, caller, decision.status.value, note=decision.note)
        uow.commit()
        return report_detail(uow, caller, report)


def _orders_to_tell(uow: UnitOfWork, report: DelayReport) -> list[Order]:
    """The orders the report names, locked; a store report approved now also takes in
    the orders whose deadline entered its window since it was filed."""
    if report.kind is ReportKind.STORE and report.status is ReportStatus.APPROVED:
        assert report.window_start and report.window_end
        named = {item.order_id for item in report.items}
        in_window = uow.reports.orders_in_window(report.store_id, report.window_start,
                                                 report.window_end)
        report.items += [ReportItem(order_id=order_id, order_no=order_no)
                         for order_id, order_no in in_window.items() if order_id not in named]
    orders = uow.reports.lock_orders(item.order_id for item in report.items)
    for order in orders:
        settle_order(uow, order)
    return orders


def _extend_collection(uow: UnitOfWork, report: DelayReport) -> None:
    """An approved collection report moves the collection deadline of each number it
    names (the shipment row: a number changed since is not covered)."""
    latest = report.latest_collect_at
    assert latest is not None
    numbers = [item.tracking_no for item in report.items if item.tracking_no]
    for shipment in uow.reports.store_shipments(report.store_id, numbers).values():
        if shipment.reported_collect_by is None or latest > shipment.reported_collect_by:
            shipment.reported_collect_by = latest


def _move_ship_by(uow: UnitOfWork, report: DelayReport, order: Order) -> list[DomainEvent]:
    """Let an approved report's latest ship time count for one order it names."""
    if order.status is not OrderStatus.AWAITING_SHIPMENT or report.latest_ship_at is None:
        return []  # shipped meanwhile: nothing to move (seed 000: nothing to cancel)
    agreed = eligibility.accepted_card(order.negotiation)
    return reporting.apply_latest_ship_at(
        order, agreed.proposed_ship_by if agreed else None, report.latest_ship_at, uow.now)


# --- timelines -------------------------------------------------------------------------


def _tell_orders(uow: UnitOfWork, orders: list[Order], event: DomainEvent,
                 caller: Caller) -> None:
    for order in orders:
        record(uow, order, [event], caller)


def _remember(uow: UnitOfWork, report: DelayReport, caller: Caller, action: str, *,
              note: str | None = None, data: dict[str, Any] | None = None) -> None:
    uow.add(ReportHistoryEntry(report_id=report.id, at=uow.now, actor=caller.actor,
                                    action=action, note=note, data=data or {}))
