"""A reviewer's regional declarations over time (RULES.md §4, seed 001): whether an
exemption or extension is still to come, in force or over, and what ending one does.

Ending one brings its window's end back to the instant it is ended, so from then on it
waives or extends nothing more, and nothing it already waived or extended is taken back:
a violation waived stays waived, a deadline moved stays moved (deadlines never move
earlier, which ``orders.assess_at`` relies on). A violation that fell due before the
end and is only recorded later is still waived, since its due time is in the window.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from negotiation.domain import errors
from negotiation.domain.errors import Refused


class DeclarationState(StrEnum):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    ENDED = "ended"


def state_of(starts_at: datetime, ends_at: datetime, ended_at: datetime | None,
             now: datetime) -> DeclarationState:
    """Over once ended or once its window has passed (the end is outside the window)."""
    if ended_at is not None or ends_at <= now:
        return DeclarationState.ENDED
    return DeclarationState.UPCOMING if now < starts_at else DeclarationState.ACTIVE


def ended_window_end(starts_at: datetime, ends_at: datetime, ended_at: datetime | None,
                     now: datetime, what: str) -> datetime:
    """The window's end once ended ``now``: ``now``, or its start when it had not begun
    (an empty window). One already over is refused, so an end is recorded once."""
    if state_of(starts_at, ends_at, ended_at, now) is DeclarationState.ENDED:
        raise Refused(f"This {what} is already over.", code=errors.DECLARATION_ENDED)
    return max(starts_at, now)
