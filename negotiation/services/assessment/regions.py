"""A reviewer's decisions about whole regions (seed 001): exemptions that waive timeouts
and extensions that move ship deadlines.

Both apply to what is already recorded as well as to what comes: declaring one locks
the orders it reaches (in id order, as every multi-order change does) and assesses them
again, so a violation recorded a moment earlier is waived and its charges reversed. An
exemption locks every order of its region first, so no violation is being recorded there
while it looks (see ``AssessmentRepository.lock_region``).

Each names a place by its code (``domain.places``). A reviewer may end one early: its
window then ends at that instant, and nothing it already did is undone
(``domain.declarations``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from models import Order, RegionalExemption, RegionalExtension
from negotiation.adapters.assessment_repository import Declaration
from negotiation.domain import declarations, eligibility, negotiating, places
from negotiation.domain.caller import Caller
from negotiation.domain.declarations import DeclarationState
from negotiation.domain.enums import ExtensionCause, Role, ViolationKind
from negotiation.domain.errors import Forbidden, InvalidInput, NotFound
from negotiation.domain.events import DomainEvent
from negotiation.services.assessment import assessment
from negotiation.services.assessment.views import ExemptionView, ExtensionView
from negotiation.services.core import pagination
from negotiation.services.core.settling import record, settle_order
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import Page

NOTE_LIMIT = 1000
View = TypeVar("View", ExemptionView, ExtensionView)


def _reviewer_only(caller: Caller, what: str, does: str = "declare") -> None:
    if caller.role is not Role.REVIEWER:
        raise Forbidden(f"Only reviewers {does} regional {what}.")


def _known_region(region: str) -> None:
    """A declaration names a place of the table by its code: a name typed any other way
    (浙江, zhejiang) would match no order's region and waive nothing."""
    if not places.is_known(region):
        raise InvalidInput(f"{region!r} is not a known region: name a place by its code, "
                           "e.g. Zhejiang (GET /api/v1/regions lists them).", field="region")


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
    _known_region(region)
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
        uow.add(row)
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
        return ExemptionView.of(row, uow.now, waived)


def declare_extension(uow: UnitOfWork, caller: Caller, *, region: str, cause: ExtensionCause,
                      starts_at: datetime, ends_at: datetime,
                      suspended_carriers: int | None = None) -> ExtensionView:
    """Extend the deadlines of the orders in ``region`` whose original deadline falls in
    the window, and of those created later (seed 001: +14 days)."""
    _reviewer_only(caller, "extensions")
    _known_region(region)
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
        uow.add(row)
        uow.flush()
        extended = 0
        for order in _locked(uow, uow.assessment.orders_to_extend(region, starts_at, ends_at)):
            events = _extend(uow, order, row)
            extended += bool(events)
            record(uow, order, events, caller)
        uow.commit()
        return ExtensionView.of(row, uow.now, extended)


# --- listing and ending them ------------------------------------------------------------


def list_exemptions(uow: UnitOfWork, caller: Caller, *, limit: int, cursor: str | None = None,
                    region: str | None = None, state: DeclarationState | None = None,
                    kind: ViolationKind | None = None) -> Page[ExemptionView]:
    """Exemptions, newest first; ``kind`` keeps those waiving that kind of violation."""
    return _listed(uow, caller, RegionalExemption, ExemptionView.of, limit=limit, cursor=cursor,
                   region=region, state=state, kind=kind.value if kind else None)


def list_extensions(uow: UnitOfWork, caller: Caller, *, limit: int, cursor: str | None = None,
                    region: str | None = None, state: DeclarationState | None = None,
                    cause: ExtensionCause | None = None) -> Page[ExtensionView]:
    return _listed(uow, caller, RegionalExtension, ExtensionView.of, limit=limit, cursor=cursor,
                   region=region, state=state, cause=cause.value if cause else None)


def _listed(uow: UnitOfWork, caller: Caller, model: type[Declaration],
            view: Callable[[Declaration, datetime], View], *, limit: int, cursor: str | None,
            region: str | None, **filters: Any) -> Page[View]:
    if caller.role not in (Role.REVIEWER, Role.ADMIN):
        raise Forbidden("Regional exemptions and extensions are listed for reviewers.")
    if region is not None:
        _known_region(region)
    before = pagination.decode_id(cursor)
    with uow:
        rows = list(uow.assessment.declaration_list(
            model, now=uow.now, region=region, before_id=before, limit=limit + 1, **filters))
        more = len(rows) > limit
        rows = rows[:limit]
        return Page([view(r, uow.now) for r in rows],
                    pagination.encode_id(rows[-1].id) if more else None)


def end_exemption(uow: UnitOfWork, caller: Caller, exemption_id: int) -> ExemptionView:
    """Stop an exemption waiving anything that falls due from now on (see
    ``domain.declarations``). Every order of its region is locked first, as declaring
    does, so no assessment in flight still reads it as it was."""
    _reviewer_only(caller, "exemptions", "end")
    with uow:
        row = _to_end(uow, RegionalExemption, exemption_id, caller, "exemption")
        uow.assessment.forget_exemptions(row.region)
        uow.commit()
        return ExemptionView.of(row, uow.now)


def end_extension(uow: UnitOfWork, caller: Caller, extension_id: int) -> ExtensionView:
    """Stop an extension reaching orders created from now on; deadlines it already moved
    stay moved."""
    _reviewer_only(caller, "extensions", "end")
    with uow:
        row = _to_end(uow, RegionalExtension, extension_id, caller, "extension")
        uow.commit()
        return ExtensionView.of(row, uow.now)


def _to_end(uow: UnitOfWork, model: type[Declaration], declaration_id: int, caller: Caller,
            what: str) -> Declaration:
    row = uow.assessment.declaration_to_end(model, declaration_id)
    if row is None:
        raise NotFound(f"No regional {what} {declaration_id}.")
    ends_at = declarations.ended_window_end(row.starts_at, row.ends_at, row.ended_at,
                                            uow.now, what)
    # Orders being created read the region's declarations under its shared lock.
    uow.assessment.guard_region(row.region, declaring=True)
    if model is RegionalExemption:
        uow.assessment.lock_region(row.region)
    row.ends_at, row.ended_at, row.ended_by = ends_at, uow.now, caller.account_id
    return row


# --- extending one order ----------------------------------------------------------------


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
        settle_order(uow, order)
    return list(orders)

