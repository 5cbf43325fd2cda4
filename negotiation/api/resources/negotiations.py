"""Many orders at once: their negotiations read in one call, one card sent to each."""

from __future__ import annotations

from flask.views import MethodView

from negotiation.api.caller import current_caller
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.api.schemas.negotiation import (
    CardBatchIn,
    CardBatchOut,
    NegotiationList,
    NegotiationsArgs,
)
from negotiation.runtime import runtime
from negotiation.services.negotiation import batches

blp = Blueprint("negotiations", __name__,
                description="Negotiations of many orders, and cards sent to many at once.")


@blp.route("/negotiations")
class Negotiations(MethodView):
    @blp.arguments(NegotiationsArgs, location="query")
    @blp.response(200, NegotiationList)
    @documents_errors(blp, 422)
    def get(self, args: dict) -> object:
        """Read the negotiations of up to 100 orders, each one or why not, in the order asked."""
        return {"items": batches.get_negotiations(runtime().uow(), current_caller(),
                                                  args["order_no"])}


@blp.route("/card-batches")
class CardBatches(MethodView):
    @blp.arguments(CardBatchIn)
    @blp.response(200, CardBatchOut)
    @documents_errors(blp, 403, 422)
    def post(self, body: dict) -> object:
        """Send one card to each of up to 500 orders of the store, each on its own rules."""
        return {"results": batches.send_cards(runtime().uow(), current_caller(), **body)}
