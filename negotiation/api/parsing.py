"""How request bodies and paths are read: every bad input becomes a 4xx, never a 500."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import flask
import flask_smorest
from marshmallow import ValidationError, validate
from webargs.flaskparser import FlaskParser
from werkzeug.routing import BaseConverter

from negotiation.clock import EARLIEST_YEAR, LATEST_YEAR
from negotiation.domain.identifiers import ORDER_NO_PATTERN, TRACKING_NO_PATTERN

DB_INT_MAX = 2**31 - 1  # PostgreSQL's integer: larger ids cannot exist
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Parser(FlaskParser):
    def _raw_load_json(self, req: flask.Request) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:  # hostile nesting is unreadable JSON, not a server error
            # (an empty ``doc`` would mean "no body" to webargs, so name the problem there)
            raise json.JSONDecodeError("JSON is nested too deeply", "nested", 0) from None


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()


class OrderNoConverter(BaseConverter):
    """Paths name orders only by well-formed numbers; anything else is simply absent."""

    regex = ORDER_NO_PATTERN


class TrackingNoConverter(BaseConverter):
    regex = TRACKING_NO_PATTERN


def database_id(**kwargs: Any) -> dict[str, Any]:
    """Options for an id field: a strict integer the database's key can hold."""
    return {"strict": True, "validate": validate.Range(min=1, max=DB_INT_MAX), **kwargs}


def plain_text(value: str) -> None:
    """Refuse control characters (PostgreSQL cannot store NUL; none belong in a remark)."""
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError("Control characters are not allowed.")


def within_supported_years(value: datetime) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(f"Must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}.")
