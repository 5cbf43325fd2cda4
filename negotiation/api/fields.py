"""Marshmallow fields the contract needs: instants with an offset, shown in UTC, and
exact decimals as strings."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields

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


class Day(fields.Date):
    """A calendar day (ISO 8601 date) within the years the service reasons about."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=[within_supported_years, *kwargs.pop("validate", [])],
                         **kwargs)


DECIMAL_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"
UNSIGNED_DECIMAL_PATTERN = DECIMAL_PATTERN.replace("-?", "")


class DecimalString(fields.Decimal):
    """Money and points as the API answers them: a decimal string of two places ("10.50").
    """

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": DECIMAL_PATTERN, "example": "10.50", **kwargs.pop("metadata", {})}
        super().__init__(places=2, as_string=True, metadata=metadata, **kwargs)


class DecimalInput(fields.Decimal):
    """Money as a client sends it: a decimal string or a JSON number, two places at most.

    Read exactly as sent (the parser reads fractions as decimals, never floats): a number
    of 30 places is refused, not rounded. The bounds are checked here on the exact value,
    before any arithmetic, so no exponent ("1e999999999") overflows it.
    """

    def __init__(self, *, minimum: Decimal, maximum: Decimal, **kwargs: Any) -> None:
        self.minimum, self.maximum = minimum, maximum
        self.pattern = UNSIGNED_DECIMAL_PATTERN if minimum >= 0 else DECIMAL_PATTERN
        number = {"type": "number", "multipleOf": 0.01, "minimum": float(minimum),
                  "exclusiveMinimum": True, "maximum": float(maximum)}
        metadata = {"oneOf": [{"type": "string", "pattern": self.pattern}, number],
                    "example": "10.50", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, str) and re.fullmatch(self.pattern, value):
            amount = Decimal(value)
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            amount = Decimal(value)
            exponent = amount.as_tuple().exponent
            if not isinstance(exponent, int) or exponent < -2:  # NaN, or three places
                raise ValidationError("At most two decimal places.")
        else:
            raise ValidationError('A decimal with at most two places, such as "10.50".')
        if amount <= self.minimum:
            raise ValidationError(f"Must be more than {self.minimum}.")
        if amount > self.maximum:
            raise ValidationError(f"Must be at most {self.maximum}.")
        return amount


class JsonBoolean(fields.Boolean):
    """``true`` or ``false`` and nothing else: not ``"yes"``, ``1`` or ``"false"``."""

    default_error_messages = {"invalid": "Must be true or false."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise self.make_error("invalid")
        return value
