"""Accounts and their bearer tokens."""

from __future__ import annotations

from flask.views import MethodView

from negotiation.api import current_caller
from negotiation.api import schemas as s
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.app import runtime
from negotiation.services import accounts

blp = Blueprint("accounts", __name__, description="Accounts and tokens.")


@blp.route("/accounts")
class Accounts(MethodView):
    @blp.arguments(s.AccountIn)
    @blp.response(201, s.Account)
    @documents_errors(blp, 403, 404, 422)
    def post(self, body: dict) -> object:
        """Create an account; its token is in this response only."""
        return accounts.create_account(runtime().uow(), current_caller(), **body)


@blp.route("/accounts/me")
class Me(MethodView):
    @blp.response(200, s.Account)
    def get(self) -> object:
        """Who the bearer token belongs to."""
        return accounts.describe(runtime().uow(), current_caller())
