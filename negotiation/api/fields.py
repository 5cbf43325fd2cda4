"""Marshmallow fields the contract needs: instants with an offset, shown in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import fields


class Instant(fields.AwareDateTime):
    """An ISO 8601 instant: any offset in, UTC with ``Z`` out; a naive time is refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        return super()._deserialize(value, attr, data, **kwargs).astimezone(UTC)
