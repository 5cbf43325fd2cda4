"""Opaque cursors for keyset pagination: the client hands back what it was given."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from negotiation.domain.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode(position: list[Any]) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidInput("cursor is not one this service issued.", field="cursor") from None
    if not isinstance(position, list):
        raise InvalidInput("cursor is not one this service issued.", field="cursor")
    return position
