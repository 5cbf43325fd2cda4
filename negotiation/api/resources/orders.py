"""Orders, their negotiation, proposal cards, shipments and timelines."""

from __future__ import annotations

from flask.views import MethodView

from negotiation.api.caller import current_caller
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.api.schemas.common import PageArgs
from negotiation.api.schemas.negotiation import CardOut, NegotiationOut, ProposalIn
from negotiation.api.schemas.notifications import EventPage
from negotiation.api.schemas.orders import (
    OrderIn,
    OrderListArgs,
    OrderOut,
    OrderPage,
    ShipmentIn,
    ShipmentOut,
)
from negotiation.runtime import runtime
from negotiation.services.negotiation import cards
from negotiation.services.orders import orders

blp = Blueprint("orders", __name__, description="Orders and their negotiation.")


@blp.route("/orders")
class Orders(MethodView):
    @blp.arguments(OrderIn)
    @blp.response(201, OrderOut)
    @documents_errors(blp, 403, 409, 422)
    def post(self, body: dict) -> object:
        """Create an order (admin)."""
        return orders.create_order(runtime().uow(), current_caller(), **body)

    @blp.arguments(OrderListArgs, location="query")
    @blp.response(200, OrderPage)
    @documents_errors(blp, 422)
    def get(self, args: dict) -> object:
        """List the orders the caller may see, oldest first."""
        return orders.list_orders(runtime().uow(), current_caller(), limit=args["limit"],
                                  cursor=args.get("cursor"), status=args.get("status"),
                                  state=args.get("negotiation_state"),
                                  covered_by_report=args.get("covered_by_report"))


@blp.route("/orders/<order_no:order_no>")
class OrderByNo(MethodView):
    @blp.response(200, OrderOut)
    @documents_errors(blp, 404)
    def get(self, order_no: str) -> object:
        """Read an order with its effective deadline."""
        return orders.get_order(runtime().uow(), current_caller(), order_no)


@blp.route("/orders/<order_no:order_no>/negotiation")
class NegotiationOfOrder(MethodView):
    @blp.response(200, NegotiationOut)
    @documents_errors(blp, 404)
    def get(self, order_no: str) -> object:
        """Read the negotiation, its cards, and what the caller may do next."""
        return cards.get_negotiation(runtime().uow(), current_caller(), order_no)


@blp.route("/orders/<order_no:order_no>/negotiation/cards")
class CardsOfOrder(MethodView):
    @blp.arguments(ProposalIn)
    @blp.response(201, CardOut)
    @documents_errors(blp, 403, 404, 409, 422)
    def post(self, body: dict, order_no: str) -> object:
        """Send the buyer a proposal card with a new ship-by time."""
        return cards.propose_card(runtime().uow(), current_caller(), order_no, **body)


@blp.route("/orders/<order_no:order_no>/shipments")
class ShipmentsOfOrder(MethodView):
    @blp.arguments(ShipmentIn)
    @blp.response(201, ShipmentOut)
    @documents_errors(blp, 403, 404, 409, 422)
    def post(self, body: dict, order_no: str) -> object:
        """Ship the order with a tracking number used by no other order."""
        return orders.ship_order(runtime().uow(), current_caller(), order_no, **body)


@blp.route("/orders/<order_no:order_no>/events")
class EventsOfOrder(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, EventPage)
    @documents_errors(blp, 403, 404, 422)
    def get(self, args: dict, order_no: str) -> object:
        """The order's timeline, oldest first."""
        return orders.list_events(runtime().uow(), current_caller(), order_no,
                                  limit=args["limit"], cursor=args.get("cursor"))
