"""A reviewer's decisions about whole regions (seed 001): exemptions that waive timeouts
and extensions that move ship deadlines.

Both apply to what is already recorded as well as to what comes: declaring one locks
the orders it reaches (in id order, as every multi-order change does) and assesses them
again, so a violation recorded a moment earlier is waived and its charges reversed. An
exemption locks every order of its region first, so no violation is being recorded there
while it looks (see ``AssessmentRepository.lock_region``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from models import Order, RegionalExemption, RegionalExtension
from negotiation.domain import eligibility, negotiating
from negotiation.domain.caller import Caller
from negotiation.domain.enums import ExtensionCause, Role, ViolationKind
from negotiation.domain.errors import Forbidden, InvalidInput
from negotiation.domain.events import DomainEvent
from negotiation.services.assessment import assessment
from negotiation.services.assessment.views import ExemptionView, ExtensionView
from negotiation.services.core import pagination
from negotiation.services.core.settling import record, settle
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import Page

NOTE_LIMIT = 1000


def _reviewer_only(caller: Caller, what: str) -> None:
    if caller.role is not Role.REVIEWER:
        raise Forbidden(f"Only reviewers declare regional {what}.")


def _window_problem(starts_at: datetime, ends_at: datetime, uow: UnitOfWork) -> None:
    if ends_at <= starts_at:
        raise InvalidInput("ends_at must be after starts_at.", field="ends_at")
    if ends_at - starts_at > uow.policy.regional_window_max:
        raise InvalidInput(f"The window is at most {uow.policy.regional_window_max.days} days.",
                           field="ends_at")


def declare_exemption(uow: UnitOfWork, caller: Caller, *, region: str, starts_at: datetime,
                      ends_at: datetime, kinds: list[ViolationKind],
                      note: str | None = None) -> ExemptionView:
    _reviewer_only(caller, "exemptions")
    if not kinds:
        raise InvalidInput("Name at least one kind of violation.", field="kinds")
    if note is not None and len(note) > NOTE_LIMIT:
        raise InvalidInput(f"note is at most {NOTE_LIMIT} characters.", field="note")
    with uow:
        _window_problem(starts_at, ends_at, uow)
        uow.assessment.guard_region(region, declaring=True)
        row = RegionalExemption(region=region, starts_at=starts_at, ends_at=ends_at,
                                kinds=sorted({k.value for k in kinds}), note=note,
                                created_by=caller.account_id, created_at=uow.now)
        uow.repo.add(row)
        uow.flush()
        uow.assessment.forget_exemptions(region)
        uow.assessment.lock_region(region)
        waived = 0
        for order in _locked(uow, uow.assessment.orders_with_violations_in(
                region, starts_at, ends_at)):
            events = assessment.assess(uow, order)
            waived += sum(e.type == "violation.exempted" for e in events)
            record(uow, order, events, caller)
        uow.commit()
        return ExemptionView.of(row, waived)


def list_exemptions(uow: UnitOfWork, caller: Caller, *, limit: int,
                    cursor: str | None = None) -> Page[ExemptionView]:
    if caller.role not in (Role.REVIEWER, Role.ADMIN):
        raise Forbidden("Regional exemptions are listed for reviewers.")
    before = pagination.decode_id(cursor)
    with uow:
        rows = list(uow.assessment.exemption_list(before_id=before, limit=limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        return Page([ExemptionView.of(r) for r in rows],
                    pagination.encode_id(rows[-1].id) if more else None)


def declare_extension(uow: UnitOfWork, caller: Caller, *, region: str, cause: ExtensionCause,
                      starts_at: datetime, ends_at: datetime,
                      suspended_carriers: int | None = None) -> ExtensionView:
    """Extend the deadlines of the orders in ``region`` whose original deadline falls in
    the window, and of those created later (seed 001: +14 days)."""
    _reviewer_only(caller, "extensions")
    if cause is ExtensionCause.CARRIER_SUSPENSION and (
            suspended_carriers is None
            or suspended_carriers < uow.policy.extension_min_suspended_carriers):
        raise InvalidInput(
            f"A carrier suspension extends a region from "
            f"{uow.policy.extension_min_suspended_carriers} suspended carriers.",
            field="suspended_carriers")
    with uow:
        _window_problem(starts_at, ends_at, uow)
        uow.assessment.guard_region(region, declaring=True)
        row = RegionalExtension(region=region, cause=cause, suspended_carriers=suspended_carriers,
                                starts_at=starts_at, ends_at=ends_at,
                                created_by=caller.account_id, created_at=uow.now)
        uow.repo.add(row)
        uow.flush()
        extended = 0
        for order in _locked(uow, uow.assessment.orders_to_extend(region, starts_at, ends_at)):
            events = _extend(uow, order, row)
            extended += bool(events)
            record(uow, order, events, caller)
        uow.commit()
        return ExtensionView.of(row, extended)


def _extend(uow: UnitOfWork, order: Order, row: RegionalExtension) -> list[DomainEvent]:
    """Extend one order; no events when an earlier extension already did."""
    extended = order.original_ship_by + uow.policy.regional_extension
    if order.extended_ship_by is not None and order.extended_ship_by >= extended:
        return []
    order.extended_ship_by = extended
    agreed = eligibility.accepted_card(order.negotiation)
    events = negotiating.move_deadline(order, agreed.proposed_ship_by if agreed else None,
                                       uow.now)
    for event in events:
        event.data["extension_id"] = row.id
    return [*events, *assessment.assess(uow, order)]


def _locked(uow: UnitOfWork, ids: Iterable[int]) -> list[Order]:
    orders = uow.assessment.with_assessment(uow.reports.lock_orders(ids))
    for order in orders:
        settle(uow, order)
    return list(orders)

