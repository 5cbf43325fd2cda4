"""What the rules report back: the events a change produced, for the service to record.

Their types are those of :mod:`negotiation.domain.event_types`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened to an order, stamped with when it took effect."""

    type: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    actor: str | None = None  # None: the caller of the use case that produced it
