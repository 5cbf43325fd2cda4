"""Opaque cursors for keyset pagination: the client hands back what it was given."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from negotiation.clock import EARLIEST_YEAR, LATEST_YEAR, iso_utc
from negotiation.domain.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_ID = 2**63 - 1  # no key of ours is larger; a larger one is not our cursor


def _foreign() -> InvalidInput:
    return InvalidInput("cursor is not one this service issued.", field="cursor")


def encode(position: list[Any]) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        raise _foreign() from None
    if not isinstance(position, list):
        raise _foreign()
    return position


def _valid_id(value: Any) -> int:
    if type(value) is not int or not 0 < value <= MAX_ID:
        raise _foreign()
    return value


def encode_id(last_id: int) -> str:
    return encode([last_id])


def decode_id(cursor: str | None) -> int | None:
    """The id a page of rows ordered by id continues after."""
    position = decode(cursor)
    if position is None:
        return None
    if len(position) != 1:
        raise _foreign()
    return _valid_id(position[0])


def encode_instant_id(at: datetime, last_id: int) -> str:
    return encode([iso_utc(at), last_id])


def decode_instant_id(cursor: str | None) -> tuple[datetime, int] | None:
    """The (instant, id) a page of rows ordered by both continues after."""
    position = decode(cursor)
    if position is None:
        return None
    if len(position) != 2 or not isinstance(position[0], str):
        raise _foreign()
    try:
        # In UTC, as every stored instant is; year 1 at +08:00 has no UTC, nor has
        # anything the service never issued.
        at = datetime.fromisoformat(position[0]).astimezone(UTC)
    except (ValueError, OverflowError):
        raise _foreign() from None
    if not EARLIEST_YEAR <= at.year <= LATEST_YEAR or position[0] != iso_utc(at):
        raise _foreign()
    return at, _valid_id(position[1])


def encode_part_instant_id(part: int, at: datetime, last_id: int) -> str:
    return encode([part, iso_utc(at), last_id])


def decode_part_instant_id(cursor: str | None) -> tuple[int, datetime, int] | None:
    """The (part, instant, id) a page of rows ordered by all three continues after."""
    position = decode(cursor)
    if position is None:
        return None
    if len(position) != 3 or position[0] not in (0, 1) or type(position[0]) is not int:
        raise _foreign()
    instant = decode_instant_id(encode(position[1:]))
    assert instant is not None
    return position[0], *instant
