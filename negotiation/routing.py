"""The converters of the app's URL paths, for the API and the web pages alike."""

from __future__ import annotations

from werkzeug.routing import BaseConverter, IntegerConverter, Map

from negotiation.domain.identifiers import ORDER_NO_PATTERN, TRACKING_NO_PATTERN

DB_INT_MAX = 2**31 - 1  # PostgreSQL's integer: larger ids cannot exist


class OrderNoConverter(BaseConverter):
    """Paths name orders only by well-formed numbers; anything else is simply absent."""

    regex = ORDER_NO_PATTERN


class TrackingNoConverter(BaseConverter):
    regex = TRACKING_NO_PATTERN


class DatabaseIdConverter(IntegerConverter):
    """Ids in paths: integers the database's key can hold. Any other number names nothing,
    so it answers 404 like an id that does not exist, before any query is sent."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=DB_INT_MAX)


PATH_CONVERTERS: dict[str, type[BaseConverter]] = {
    "order_no": OrderNoConverter, "tracking_no": TrackingNoConverter, "id": DatabaseIdConverter}
