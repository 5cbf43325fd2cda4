"""How request bodies and paths are read: every bad input becomes a 4xx, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, NoReturn

import flask
import flask_smorest
from flask_smorest import abort
from marshmallow import RAISE, Schema, ValidationError, validate
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import CombinedMultiDict, FileStorage
from werkzeug.routing import BaseConverter, IntegerConverter

from negotiation.api.problems import BODY
from negotiation.clock import EARLIEST_YEAR, LATEST_YEAR
from negotiation.domain.identifiers import PLAIN_TEXT_PATTERN
from negotiation.routing import DB_INT_MAX


class Parser(FlaskParser):
    """webargs' Flask parser, reading JSON bodies strictly.

    Every way a body can be unreadable ends here as a 4xx naming the problem: a body that
    is not declared JSON, JSON that Python's decoder refuses for any reason (hostile
    nesting, an integer of more digits than Python converts, ``NaN``), and text that no
    database can store (a lone UTF-16 surrogate). Numbers with a fraction are read as
    decimals, never floats.
    """

    # A multipart body's text fields sit beside its files: an unexpected field of either
    # kind is refused by name, as an unknown JSON field is.
    DEFAULT_UNKNOWN_BY_LOCATION: ClassVar[dict[str, str | None]] = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "files": RAISE}

    def load_files(self, req: flask.Request, schema: Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)

    def _raw_load_json(self, req: flask.Request) -> Any:
        body = req.get_data(cache=True)
        if not is_json_request(req):
            if body:  # a note sent as a form or text must not be dropped silently
                abort(415, description="Send the request body as application/json.")
            return missing
        try:
            # Fractions as decimals, exactly as sent: a float would round 30 places away.
            document = json.loads(body.decode("utf-8"), parse_float=Decimal,
                                  parse_constant=_no_constant)
        except UnicodeDecodeError as error:
            raise json.JSONDecodeError(f"not UTF-8 ({error.reason})", "undecodable", 0) from None
        except json.JSONDecodeError:
            raise
        except (ValueError, RecursionError) as error:
            # ``doc`` must not be empty: webargs reads an empty one as "no body at all"
            raise json.JSONDecodeError(_first_line(error), "unreadable", 0) from None
        if unstorable := sorted(_unstorable_strings(document, "")):
            abort(422, messages={"json": {
                path or BODY: ["Not valid Unicode text (a lone UTF-16 surrogate)."]
                for path in unstorable}})
        return document

    def _handle_invalid_json_error(self, error: Any, req: flask.Request, *args: Any,
                                   **kwargs: Any) -> NoReturn:
        abort(400, messages={"json": [f"Invalid JSON body: {_first_line(error)}"]})


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _unstorable_strings(node: Any, path: str) -> Iterator[str]:
    """The paths of the strings (keys included) that cannot be encoded as UTF-8."""
    if isinstance(node, str):
        if not _encodable(node):
            yield path
    elif isinstance(node, dict):
        for key, value in node.items():
            name = f"{path}.{key}" if path else key
            if not _encodable(key):
                yield path
            else:
                yield from _unstorable_strings(value, name)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _unstorable_strings(item, f"{path}.{index}" if path else str(index))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()


PATH_EXAMPLES = {"OrderNoConverter": "TB-20261122-0001", "TrackingNoConverter": "SF1000001"}


def path_parameter_schema(converter: BaseConverter) -> dict[str, Any]:
    """How the OpenAPI document describes a path parameter each converter accepts."""
    if isinstance(converter, IntegerConverter):
        return {"type": "integer", "minimum": converter.min, "maximum": converter.max,
                "example": 1}
    return {"type": "string", "pattern": f"^{converter.regex}$",
            "example": PATH_EXAMPLES.get(type(converter).__name__, "1")}


def database_id(**kwargs: Any) -> dict[str, Any]:
    """Options for an id field: a strict integer the database's key can hold."""
    return {"strict": True, "validate": validate.Range(min=1, max=DB_INT_MAX), **kwargs}


def uploaded_file(value: object) -> None:
    if not isinstance(value, FileStorage):
        raise ValidationError("Send a file (a multipart part with a filename), not text.")


# A validator, so that the OpenAPI document carries the pattern too.
plain_text = validate.Regexp(PLAIN_TEXT_PATTERN, error="Control characters are not allowed.")


def within_supported_years(value: date) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(f"Must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}.")
