"""Which instant is an order's ship or collection deadline, and which rule set it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from negotiation.domain.enums import ShipBySource, ShipMode
from negotiation.domain.policy import Policy


@dataclass(frozen=True)
class Deadline:
    at: datetime
    source: ShipBySource


def original_ship_by(paid_at: datetime, given: datetime | None, policy: Policy,
                     handling_hours: int | None = None) -> datetime:
    """The deadline an order is born with: given, or paid time + the handling time."""
    if given is not None:
        return given
    if handling_hours is not None:
        return paid_at + timedelta(hours=handling_hours)
    return paid_at + policy.handling_time


def resolve_ship_by(original: datetime, agreed: datetime | None = None,
                    reported: datetime | None = None) -> Deadline:
    """The effective deadline: the latest of the candidates, and the rule that won.

    The candidates are the original deadline, the time of an agreed card and the latest
    ship time of the approved delay reports covering the order. Ties go to the earlier
    candidate, so an agreement or report that changes nothing still reads as before.
    """
    best = Deadline(original, ShipBySource.ORIGINAL)
    for at, source in ((agreed, ShipBySource.AGREED_CARD),
                       (reported, ShipBySource.DELAY_REPORT)):
        if at is not None and at > best.at:
            best = Deadline(at, source)
    return best


def original_collect_by(ship_mode: ShipMode, paid_at: datetime, uploaded_at: datetime,
                        policy: Policy) -> datetime:
    """When the first carrier scan is due (seed 004).

    Normal mode counts from payment; express and tiered modes from the moment the
    tracking number was uploaded.
    """
    if ship_mode is ShipMode.NORMAL:
        return paid_at + policy.collection_window
    return uploaded_at + policy.collection_window_after_upload


def resolve_collect_by(original: datetime, reported: datetime | None = None) -> datetime:
    """An approved collection report moves the deadline to its latest collection time."""
    return reported if reported is not None and reported > original else original


def is_met(at: datetime, deadline: datetime) -> bool:
    """RULES.md §5: a deadline is met when the action happens strictly before it."""
    return at < deadline
