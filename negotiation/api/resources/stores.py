"""Stores, and the platform's revoke/restore of their negotiation tool."""

from __future__ import annotations

from flask.views import MethodView

from negotiation.api.caller import current_caller
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.api.schemas.accounts import StoreIn, StoreOut
from negotiation.runtime import runtime
from negotiation.services.accounts import stores

blp = Blueprint("stores", __name__, description="Stores (admin).")


@blp.route("/stores")
class Stores(MethodView):
    @blp.arguments(StoreIn)
    @blp.response(201, StoreOut)
    @documents_errors(blp, 403, 422)
    def post(self, body: dict) -> object:
        """Create a store."""
        return stores.create_store(runtime().uow(), current_caller(), **body)


@blp.route("/stores/<id:store_id>")
class StoreById(MethodView):
    @blp.response(200, StoreOut)
    @documents_errors(blp, 404)
    def get(self, store_id: int) -> object:
        """Read a store (its accounts, reviewers, admins)."""
        return stores.get_store(runtime().uow(), current_caller(), store_id)


@blp.route("/stores/<id:store_id>/negotiation/revoke")
class RevokeNegotiation(MethodView):
    @blp.response(200, StoreOut)
    @documents_errors(blp, 403, 404)
    def post(self, store_id: int) -> object:
        """Revoke the store's negotiation tool (abuse, RULES.md §2.4)."""
        return stores.set_negotiation_enabled(runtime().uow(), current_caller(), store_id,
                                              enabled=False)


@blp.route("/stores/<id:store_id>/negotiation/restore")
class RestoreNegotiation(MethodView):
    @blp.response(200, StoreOut)
    @documents_errors(blp, 403, 404)
    def post(self, store_id: int) -> object:
        """Give the store its negotiation tool back."""
        return stores.set_negotiation_enabled(runtime().uow(), current_caller(), store_id,
                                              enabled=True)
