"""The JSON API of API.md: flask-smorest resources over the service layer."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import re
from datetime import timedelta
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, Response, current_app, g, request, send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import HTTPException

from negotiation.adapters.sealing import REPLAYS, Seal
from negotiation.api import event_docs, problems
from negotiation.api.caller import current_caller, is_authenticated, set_current_caller
from negotiation.api.fields import DecimalInput, DecimalString
from negotiation.api.parsing import path_parameter_schema
from negotiation.api.problems import PROBLEM_JSON
from negotiation.api.resources import accounts as account_routes
from negotiation.api.resources import (
    appeals,
    assessment,
    cards,
    events,
    negotiations,
    orders,
    reports,
    stores,
    webhooks,
)
from negotiation.api.schemas.common import Problem, component_name
from negotiation.domain.errors import DomainError
from negotiation.routing import PATH_CONVERTERS
from negotiation.runtime import runtime
from negotiation.services.accounts import accounts
from negotiation.services.core import idempotency

API_ROOT = "/api"
PUBLIC_PATHS = ("/api/v1/openapi.json", "/api/docs", problems.PROBLEM_PAGE)
# Swagger UI's scripts and styles, served from the installed package: the browsable docs
# work on a network that reaches no CDN.
SWAGGER_UI_ASSETS = "/api/docs/assets/"
REPLAY_SEAL = "negotiation.replay_seal"
IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,200}")
log = logging.getLogger(__name__)
# The OpenAPI document is made of the code alone (the resources, their schemas, the path
# converters and fields) and the settings named in ``_document_key``; building it is most of
# what ``create_app`` costs. A process builds it once per key, and every later app with the
# same key serves that one document (tests build an app per test).
_DOCUMENTS: dict[tuple[Any, ...], APISpec] = {}


class ProblemApi(Api):
    """flask-smorest, answering every HTTP error on the API as a problem document, and
    documenting them so."""

    ERROR_SCHEMA = Problem

    def __init__(self, app: Flask, *, documented: APISpec | None, **kwargs: Any) -> None:
        self._documented = documented
        super().__init__(app, **kwargs)

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        if self._documented is None:
            super().register_blueprint(blp, parameters=parameters, **options)
            return
        # What flask-smorest does besides documenting the blueprint's views.
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)

    def document(self) -> None:
        """Serve the document built before, or keep this one for the apps to come."""
        if self._documented is None:
            _DOCUMENTS[_document_key(self._app)] = self.spec
        else:
            self.spec = self._documented

    def _register_responses(self) -> None:
        if self._documented is not None:
            return  # they are in the document already
        # flask-smorest documents its own error responses (the 422 of every body it parses,
        # the default error) as application/json; ours are problem documents.
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"

    def handle_http_exception(self, error: HTTPException) -> Any:
        if not _is_api_path():
            return error  # the web pages keep Flask's own error pages
        status = error.code or 500
        code = problems.CODE_OF_STATUS.get(status, "error")
        field_errors = None
        messages = getattr(error, "data", {}).get("messages")
        if messages:
            field_errors = problems.flatten_messages(messages)
            body_errors = field_errors.pop(problems.BODY, None)
            named = ", ".join(sorted(field_errors))
            detail = " ".join(body_errors or []) or f"Invalid input: {named}."
        else:
            detail = error.description or "The request failed."
        # Keep what the error says in headers (``Allow`` on a 405), not its content type.
        headers = {name: value for name, value in error.get_headers()
                   if name.lower() != "content-type"}
        return problems.problem(status, code, detail, field_errors or None, headers)


def init_app(app: Flask) -> None:
    # A doubled slash would otherwise answer an HTML redirect instead of a problem.
    app.url_map.merge_slashes = False
    app.config.setdefault("API_TITLE", "Negotiated shipping API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "v1/openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", SWAGGER_UI_ASSETS)
    documented = _DOCUMENTS.get(_document_key(app))
    api = ProblemApi(app, documented=documented, spec_kwargs={
        "info": {"description": (
            "Negotiated shipping (协商发货): proposal cards between sellers and buyers. "
            "Errors are RFC 9457 problem documents with a machine-readable `code`.")},
        # ``OrderOut`` is the ``Order`` component: the contract's names, not the classes'.
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=component_name)})
    for converter in PATH_CONVERTERS.values():
        api.register_converter(converter, path_parameter_schema)
    api.register_field(DecimalString, "string", "decimal")
    api.register_field(DecimalInput, None, None)  # a oneOf: a string or a number
    for module in (stores, account_routes, orders, cards, negotiations, reports, appeals,
                   assessment, events, webhooks):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    if documented is None:
        api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
        api.spec.options["security"] = [{"bearer": []}]
        event_docs.register(api.spec)  # the payloads of the feed and the webhooks
    api.document()

    app.add_url_rule(problems.PROBLEM_PAGE, "problem_codes", problems.codes_page)
    app.add_url_rule(SWAGGER_UI_ASSETS + "<path:filename>", "swagger_ui_assets",
                     _swagger_ui_asset)
    app.extensions[REPLAY_SEAL] = Seal(app.config["SECRET_KEY"], REPLAYS)
    app.before_request(_authenticate)
    app.before_request(_reserve_idempotency_key)
    app.after_request(_finish_idempotency_key)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(Exception, _unexpected_error)


def _document_key(app: Flask) -> tuple[Any, ...]:
    """The settings the OpenAPI document reads (flask-smorest's and the docs' paths)."""
    return tuple(repr(app.config.get(name)) for name in (
        "API_TITLE", "API_VERSION", "OPENAPI_VERSION", "API_SPEC_OPTIONS",
        "OPENAPI_URL_PREFIX", "OPENAPI_JSON_PATH"))


def _swagger_ui_asset(filename: str) -> Response:
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)


def _is_api_path() -> bool:
    return request.path == API_ROOT or request.path.startswith(API_ROOT + "/")


def _is_api_call() -> bool:
    return _is_api_path() and not request.path.startswith(PUBLIC_PATHS)


def _authenticate() -> Response | None:
    if not _is_api_call():
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    caller = None
    if scheme.lower() == "bearer" and token.strip():
        caller = accounts.authenticate(runtime().autocommit_uow(), token.strip(),
                                       current_app.config.get("ADMIN_TOKEN"))
    if caller is None:
        return problems.problem(401, "unauthenticated", "A valid bearer token is required.",
                                headers={"WWW-Authenticate": "Bearer"})
    set_current_caller(caller)
    return None


def _reserve_idempotency_key() -> Response | None:
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not _is_api_call() or not is_authenticated():
        return None
    if not IDEMPOTENCY_KEY.fullmatch(key):
        return problems.problem(422, "validation_error", "Idempotency-Key is not usable.", {
            "Idempotency-Key": ["1 to 200 printable ASCII characters (a UUID is a good one)."]})
    digest = _request_digest()
    lease = timedelta(seconds=current_app.config["IDEMPOTENCY_LEASE_SECONDS"])
    try:
        replay = idempotency.reserve(runtime().uow(), current_caller().actor, key, digest,
                                     lease=lease)
    except idempotency.KeyReused:
        return problems.problem(422, "idempotency_key_reused",
                                "This Idempotency-Key was used with a different request.")
    except idempotency.KeyInProgress as held:
        wait = math.ceil(held.retry_after.total_seconds())
        return problems.problem(409, "idempotency_key_in_progress",
                                "The first request with this Idempotency-Key is still running; "
                                f"retry in {wait} s.", headers={"Retry-After": str(wait)})
    if replay is not None:
        body = _seal().open(replay.body)
        if body is None:
            return problems.problem(422, "idempotency_key_reused",
                                    "The first answer to this Idempotency-Key can no longer "
                                    "be read (the service's secret key changed); use a new key.")
        mimetype = PROBLEM_JSON if replay.status >= 400 else "application/json"
        response = Response(body, status=replay.status, mimetype=mimetype)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    g.idempotency_key = key
    return None


def _request_digest() -> str:
    """What makes two requests the same: method, path and body, JSON compared as JSON
    and a multipart upload by its fields and files (a retry picks a new boundary)."""
    if request.mimetype == "multipart/form-data":
        body = _multipart_digest()
    else:
        body = request.get_data()
        with contextlib.suppress(ValueError, RecursionError):  # not JSON: compare the bytes
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    parts = [request.method.encode(), request.path.encode(), body]
    return hashlib.sha256(b"\n".join(parts)).hexdigest()


def _multipart_digest() -> bytes:
    fields = sorted(request.form.items(multi=True))
    files = []
    for name, upload in request.files.items(multi=True):
        files.append((name, upload.filename, hashlib.sha256(upload.stream.read()).hexdigest()))
        upload.stream.seek(0)  # the view reads it again
    return json.dumps([fields, sorted(files)], separators=(",", ":")).encode()


def _finish_idempotency_key(response: Response) -> Response:
    key = g.pop("idempotency_key", None)
    if key is None:
        return response
    if response.status_code >= 500:
        idempotency.release(runtime().uow(), current_caller().actor, key)
    else:
        idempotency.complete(runtime().uow(), current_caller().actor, key, response.status_code,
                             _seal().seal(response.get_data(as_text=True)))
    return response


def _seal() -> Seal:
    return current_app.extensions[REPLAY_SEAL]


def _domain_error(error: DomainError) -> Any:
    if not _is_api_path():
        raise error
    return problems.from_domain_error(error)


def _unexpected_error(error: Exception) -> Any:
    if isinstance(error, HTTPException):
        return error
    log.exception("unhandled error on %s %s", request.method, request.path)
    if not _is_api_path():
        return problems.problem(500, "internal_error", "Something went wrong on our side.")
    return problems.problem(500, "internal_error",
                            "Something went wrong on our side; the request changed nothing.")
