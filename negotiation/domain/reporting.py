"""The rules of delay reports (RULES.md §3): what may be filed, what it covers, its review.

Like :mod:`negotiation.domain.negotiating`, every function takes ``now`` and the policy
explicitly and reads only the attributes it names, so the rules run without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from negotiation.clock import iso_utc
from negotiation.domain import errors
from negotiation.domain.caller import Caller
from negotiation.domain.eligibility import report_applicability_problem
from negotiation.domain.enums import (
    SELLER_ROLES,
    ReportKind,
    ReportStatus,
    Role,
)
from negotiation.domain.errors import DomainError, Forbidden, InvalidInput, Refused
from negotiation.domain.events import DomainEvent
from negotiation.domain.machine import REPORT_MACHINE, fire
from negotiation.domain.negotiating import move_deadline
from negotiation.domain.policy import Policy
from negotiation.domain.protocols import OrderLike

TEXT_LIMIT = 1000  # a report's description and a reviewer's note, as stored


class ReportLike(Protocol):
    kind: ReportKind
    status: ReportStatus
    store_id: int
    window_start: datetime | None
    window_end: datetime | None
    latest_ship_at: datetime | None
    latest_collect_at: datetime | None
    submitted_at: datetime
    review_due_at: datetime
    reviewed_at: datetime | None


# --- the shape of a report -------------------------------------------------------------

# What each kind names and which latest time it sets; the other fields do not apply.
FIELDS_OF_KIND: dict[ReportKind, tuple[str, ...]] = {
    ReportKind.SHIPMENT: ("order_nos", "latest_ship_at"),
    ReportKind.COLLECTION: ("tracking_nos", "latest_collect_at"),
    ReportKind.STORE: ("window_start", "window_end", "latest_ship_at"),
}
KIND_FIELDS = frozenset(f for names in FIELDS_OF_KIND.values() for f in names)


def shape_problems(kind: ReportKind, given: dict[str, Any]) -> dict[str, str]:
    """Fields the kind needs but lacks, and fields given that the kind does not use."""
    needed = FIELDS_OF_KIND[kind]
    problems = {name: f"A {kind.value} report needs {name}."
                for name in needed if given.get(name) in (None, [], "")}
    problems.update({name: f"A {kind.value} report does not use {name}."
                     for name in sorted(KIND_FIELDS - set(needed))
                     if given.get(name) not in (None, [], "")})
    return problems


def latest_time_problem(latest: datetime, replaced: datetime, now: datetime,
                        policy: Policy, what: str) -> str | None:
    """A latest time must lie in the future, after the deadline it replaces, and at most
    the policy's horizon after it. ``what`` names the deadline in the message."""
    limit = replaced + policy.report_horizon
    if latest <= replaced:
        return f"must be after {what} ({iso_utc(replaced)})"
    if latest > limit:
        return (f"must be at most {policy.report_horizon.days} days after {what}, "
                f"i.e. not after {iso_utc(limit)}")
    if latest <= now:
        return "must be in the future"
    return None


def window_problems(start: datetime, end: datetime, latest_ship_at: datetime,
                    now: datetime, policy: Policy) -> dict[str, str]:
    """A store report's window, and its latest ship time measured from the window's end."""
    if end <= start:
        return {"window_end": "must be after window_start"}
    if end - start > policy.store_window_max:
        return {"window_end": f"the window is at most {policy.store_window_max.days} days long"}
    problem = latest_time_problem(latest_ship_at, end, now, policy, "window_end")
    return {"latest_ship_at": problem} if problem else {}


def in_window(start: datetime, end: datetime, deadline: datetime) -> bool:
    """A store report covers the orders whose deadline falls in [start, end)."""
    return start <= deadline < end


def collection_covered(reported_tracking_nos: set[str], tracking_no: str | None) -> bool:
    """A collection report covers a tracking number, not an order: once the order's
    number changes, the report no longer covers it and a new one is needed (seed 000)."""
    return tracking_no is not None and tracking_no in reported_tracking_nos


# --- who may do what -------------------------------------------------------------------


def file_refusal(caller: Caller) -> DomainError | None:
    if caller.role not in SELLER_ROLES or caller.store_id is None:
        return Forbidden("Only a store's owner or its agents may file delay reports.")
    return None


def order_refusal(order_no: str, order: OrderLike) -> DomainError | None:
    """Whether a report may name this order (shipment and store kinds)."""
    problem = report_applicability_problem(order)
    if problem is None:
        return None
    return Refused(f"Order {order_no} {problem}.", code=errors.REPORT_NOT_APPLICABLE,
                   field="order_nos")


def already_covered(label: str, field: str, report_id: int,
                    status: ReportStatus) -> Refused:
    """The refusal for naming what another report of the same kind already covers, or
    will once approved: a pending report covers nothing yet, and is not said to."""
    if status is ReportStatus.PENDING_REVIEW:
        return Refused(f"{label} is already named in report {report_id}, which is waiting "
                       "for review.", code=errors.REPORT_NOT_APPLICABLE, field=field)
    return Refused(f"{label} is already covered by report {report_id} (approved).",
                   code=errors.REPORT_NOT_APPLICABLE, field=field)


def role_refusal(caller: Caller, trigger: str) -> DomainError | None:
    """Whether the caller's role may ever take this step on a report, whichever report:
    checked before the report is looked up, so a 403 tells nothing about what exists."""
    if trigger in ("approve", "reject"):
        if caller.role is not Role.REVIEWER:
            return Forbidden("Only platform reviewers decide delay reports.")
        return None
    return file_refusal(caller)  # withdrawing and adding evidence: the store's sellers


def review_refusal(caller: Caller, report: ReportLike) -> DomainError | None:
    return role_refusal(caller, "approve") or pending_refusal(report)


def withdraw_refusal(caller: Caller, report: ReportLike) -> DomainError | None:
    if not caller.is_seller_of(report.store_id):
        return Forbidden("Only the store's owner or its agents may withdraw its reports.")
    return pending_refusal(report)


def evidence_refusal(caller: Caller, report: ReportLike) -> DomainError | None:
    if not caller.is_seller_of(report.store_id):
        return Forbidden("Only the store's owner or its agents add evidence to its reports.")
    return pending_refusal(report)


def report_actions(caller: Caller, report: ReportLike) -> dict[str, DomainError | None]:
    """For each thing one may do to a report, None when the caller may now, else why not:
    the same refusals the use cases raise, so buttons never offer what would be refused."""
    review = review_refusal(caller, report)
    return {"approve": review, "reject": review,
            "withdraw": withdraw_refusal(caller, report),
            "add_evidence": evidence_refusal(caller, report)}


def pending_refusal(report: ReportLike) -> DomainError | None:
    if report.status is not ReportStatus.PENDING_REVIEW:
        return Refused(f"The report is {report.status.value}, not waiting for review.",
                       code=errors.REPORT_NOT_PENDING)
    return None


def may_read(caller: Caller, report: ReportLike) -> bool:
    """A store reads its own reports; reviewers read every report."""
    return caller.role is Role.REVIEWER or caller.is_seller_of(report.store_id)


# --- review ----------------------------------------------------------------------------


def review_due_at(submitted_at: datetime, policy: Policy) -> datetime:
    return submitted_at + policy.review_window


def is_overdue(report: ReportLike, now: datetime) -> bool:
    return report.status is ReportStatus.PENDING_REVIEW and now >= report.review_due_at


def waited(report: ReportLike, now: datetime) -> timedelta:
    """How long the report waited for a decision: so far, or until it was decided."""
    return (report.reviewed_at or now) - report.submitted_at


@dataclass(frozen=True)
class Decision:
    """A reviewer's or the store's closing of a report."""

    status: ReportStatus
    note: str | None


def decide(caller: Caller, report: Any, trigger: str, now: datetime,
           note: str | None = None) -> Decision:
    """Approve, reject (a note is required) or withdraw a pending report."""
    refusal = (withdraw_refusal(caller, report) if trigger == "withdraw"
               else review_refusal(caller, report))
    if refusal is not None:
        raise refusal
    if trigger == "reject" and not (note and note.strip()):
        raise InvalidInput("A rejection needs a note telling the store why.", field="note")
    fire(REPORT_MACHINE, report, trigger)
    report.reviewed_by, report.reviewed_at = caller.account_id, now
    report.review_note = note.strip() if note else None
    return Decision(report.status, report.review_note)


def report_event(report: Any, type_: str, at: datetime, **extra: Any) -> DomainEvent:
    """The event a report change writes on each covered order's timeline."""
    data: dict[str, Any] = {"report_id": report.id, "kind": report.kind.value,
                            "reason": report.reason.value}
    for name in ("latest_ship_at", "latest_collect_at"):
        value = getattr(report, name)
        if value is not None:
            data[name] = iso_utc(value)
    return DomainEvent(type_, at, {**data, **extra})


def apply_latest_ship_at(order: Any, agreed: datetime | None, latest: datetime,
                         now: datetime) -> list[DomainEvent]:
    """An approved report's latest ship time becomes a candidate for the order's
    deadline; the resolver decides whether it wins (RULES.md §4)."""
    if order.reported_ship_by is None or latest > order.reported_ship_by:
        order.reported_ship_by = latest
    return move_deadline(order, agreed, now)
