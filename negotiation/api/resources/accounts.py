"""Accounts and their API keys."""

from __future__ import annotations

from flask.views import MethodView

from negotiation.api.caller import current_caller
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.api.schemas.accounts import (
    AccountIn,
    ApiKeyIn,
    ApiKeyOut,
    ApiKeyPage,
    CallerAccount,
    NewAccount,
    NewApiKey,
)
from negotiation.api.schemas.common import PageArgs
from negotiation.runtime import runtime
from negotiation.services.accounts import accounts

blp = Blueprint("accounts", __name__, description="Accounts and their API keys.")


@blp.route("/accounts")
class Accounts(MethodView):
    @blp.arguments(AccountIn)
    @blp.response(201, NewAccount)
    @documents_errors(blp, 403, 404, 422)
    def post(self, body: dict) -> object:
        """Create an account; its token is in this response only."""
        return accounts.create_account(runtime().uow(), current_caller(), **body)


@blp.route("/accounts/me")
class Me(MethodView):
    @blp.response(200, CallerAccount)
    @documents_errors(blp)
    def get(self) -> object:
        """Who the bearer token belongs to."""
        return accounts.describe(runtime().uow(), current_caller())


@blp.route("/accounts/<id:account_id>/keys")
class KeysOfAccount(MethodView):
    @blp.arguments(ApiKeyIn)
    @blp.response(201, NewApiKey)
    @documents_errors(blp, 404, 422)
    def post(self, body: dict, account_id: int) -> object:
        """Create a named API key for the account; the key is in this response only."""
        return accounts.create_key(runtime().uow(), current_caller(), account_id, **body)

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, ApiKeyPage)
    @documents_errors(blp, 404, 422)
    def get(self, args: dict, account_id: int) -> object:
        """List the account's keys, revoked and expired ones too (never the keys)."""
        return accounts.list_keys(runtime().uow(), current_caller(), account_id, **args)


@blp.route("/keys/<id:key_id>/revoke")
class RevokeKey(MethodView):
    @blp.response(200, ApiKeyOut)
    @documents_errors(blp, 404)
    def post(self, key_id: int) -> object:
        """Revoke a key: refused from the next request on. Revoking again changes nothing."""
        return accounts.revoke_key(runtime().uow(), current_caller(), key_id)


@blp.route("/keys/<id:key_id>/rotate")
class RotateKey(MethodView):
    @blp.response(201, NewApiKey)
    @documents_errors(blp, 404, 409)
    def post(self, key_id: int) -> object:
        """Replace a key with a new one of the same name and expiry, revoking it."""
        return accounts.rotate_key(runtime().uow(), current_caller(), key_id)
