"""Which instant is an order's ship or collection deadline, and which rule set it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from negotiation.domain.enums import ShipBySource, ShipMode
from negotiation.domain.policy import Policy
from negotiation.domain.workdays import after_working_days


@dataclass(frozen=True)
class Deadline:
    at: datetime
    source: ShipBySource


def original_ship_by(paid_at: datetime, given: datetime | None, policy: Policy,
                     handling_hours: int | None = None,
                     handling_working_days: int | None = None) -> datetime:
    """The deadline an order is born with: given, or paid time + the store's handling
    time, in working days when the store counts them so (seed 003), else in hours."""
    if given is not None:
        return given
    if handling_working_days is not None:
        return after_working_days(paid_at, handling_working_days, policy)
    if handling_hours is not None:
        return paid_at + timedelta(hours=handling_hours)
    return paid_at + policy.handling_time


def resolve_ship_by(original: datetime, agreed: datetime | None = None,
                    reported: datetime | None = None,
                    extended: datetime | None = None) -> Deadline:
    """The effective deadline: the latest of the candidates, and the rule that won.

    The candidates are the original deadline, the time of an agreed card, the latest
    ship time of the approved delay reports covering the order and a regional
    extension. Ties go to the earlier candidate, so an agreement, report or extension
    that changes nothing still reads as before.
    """
    best = Deadline(original, ShipBySource.ORIGINAL)
    for at, source in ((agreed, ShipBySource.AGREED_CARD),
                       (reported, ShipBySource.DELAY_REPORT),
                       (extended, ShipBySource.REGIONAL_EXTENSION)):
        if at is not None and at > best.at:
            best = Deadline(at, source)
    return best


def original_collect_by(ship_mode: ShipMode, paid_at: datetime, uploaded_at: datetime | None,
                        policy: Policy) -> datetime | None:
    """When the first carrier scan is due (seed 004).

    Normal mode counts from payment; express and tiered modes from the moment the
    tracking number was uploaded, so until then they have no collection deadline.
    """
    if ship_mode is ShipMode.NORMAL:
        return paid_at + policy.collection_window
    if uploaded_at is None:
        return None
    return uploaded_at + policy.collection_window_after_upload


def resolve_collect_by(original: datetime | None,
                       reported: datetime | None = None) -> datetime | None:
    """An approved collection report moves the deadline to its latest collection time."""
    if original is None:
        return None
    return reported if reported is not None and reported > original else original


def extended_ship_by(original: datetime, extension: timedelta | None) -> datetime | None:
    """A regional extension adds to the original deadline (seed 001: +14 days)."""
    return None if extension is None else original + extension


def is_met(at: datetime, deadline: datetime) -> bool:
    """RULES.md §5: a deadline is met when the action happens strictly before it."""
    return at < deadline
