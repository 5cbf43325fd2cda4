"""Marshmallow fields the contract needs: instants with an offset, shown in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import fields

from negotiation.api.parsing import within_supported_years
from negotiation.clock import iso_utc


class Instant(fields.AwareDateTime):
    """An ISO 8601 instant: any offset in, UTC with ``Z`` out; a naive time is refused."""

    def __init__(self, **kwargs: Any) -> None:
        validators = [within_supported_years, *kwargs.pop("validate", [])]
        super().__init__(format="iso", validate=validators, **kwargs)

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else iso_utc(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        try:
            return super()._deserialize(value, attr, data, **kwargs).astimezone(UTC)
        except OverflowError:  # e.g. year 1 at +08:00 is before year 1 in UTC
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None
