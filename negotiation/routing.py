"""The converters of the app's URL paths, for the API and the web pages alike, and the
app's kind of URL rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from werkzeug.routing import BaseConverter, IntegerConverter, Map, Rule

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


class SharedBuilderRule(Rule):
    """werkzeug's rule, sharing its URL builders with every like rule of the process.

    werkzeug generates and compiles Python source for two builders per rule (with and
    without a query string); for the app's ~100 rules that is most of what building an
    app costs, and tests build one per test. A builder is made of the rule's parsed parts
    alone (the static text and the names of its arguments, each converted by the rule's
    own ``_converters`` at call time) and of whether it appends the query string, so rules
    alike in those share one. A rule with defaults resolves them into its builder through
    its converters when compiled, so it compiles its own.
    """

    _builders: ClassVar[dict[tuple[Any, ...], Callable[..., tuple[str, str]]]] = {}

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        if self.defaults:
            return super()._compile_builder(append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if (builder := self._builders.get(key)) is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder
