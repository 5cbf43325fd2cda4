"""One proposal card, and the buyer's and seller's answers to it."""

from __future__ import annotations

from flask import current_app, url_for
from flask.views import MethodView

from negotiation.adapters.consent_links import ConsentLinkSigner
from negotiation.api.caller import current_caller
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.api.schemas.negotiation import CardOut, ConsentLinkOut, RejectionIn
from negotiation.runtime import runtime
from negotiation.services.negotiation import cards, consent

blp = Blueprint("cards", __name__, description="Proposal cards.")


@blp.route("/cards/<id:card_id>")
class CardById(MethodView):
    @blp.response(200, CardOut)
    @documents_errors(blp, 403, 404)
    def get(self, card_id: int) -> object:
        """Read a card (the order's store and buyer)."""
        return cards.get_card(runtime().uow(), current_caller(), card_id)


@blp.route("/cards/<id:card_id>/accept")
class AcceptCard(MethodView):
    @blp.response(200, CardOut)
    @documents_errors(blp, 403, 404, 409)
    def post(self, card_id: int) -> object:
        """Accept the card: its time becomes the order's ship deadline."""
        return cards.accept_card(runtime().uow(), current_caller(), card_id)


@blp.route("/cards/<id:card_id>/reject")
class RejectCard(MethodView):
    @blp.arguments(RejectionIn)
    @blp.response(200, CardOut)
    @documents_errors(blp, 403, 404, 409, 422)
    def post(self, body: dict, card_id: int) -> object:
        """Reject the card, optionally hinting a preferred ship-by time."""
        return cards.reject_card(runtime().uow(), current_caller(), card_id, **body)


@blp.route("/cards/<id:card_id>/withdraw")
class WithdrawCard(MethodView):
    @blp.response(200, CardOut)
    @documents_errors(blp, 403, 404, 409)
    def post(self, card_id: int) -> object:
        """Withdraw a pending card; it still counts toward the limit."""
        return cards.withdraw_card(runtime().uow(), current_caller(), card_id)


@blp.route("/cards/<id:card_id>/consent-link")
class CardConsentLink(MethodView):
    @blp.response(201, ConsentLinkOut)
    @documents_errors(blp, 403, 404, 409)
    def post(self, card_id: int) -> object:
        """A signed link the buyer opens to answer this card, without a token."""
        link = consent.make_link(runtime().uow(), current_caller(), card_id)
        token = ConsentLinkSigner(current_app.config["SECRET_KEY"]).sign(link)
        return {"url": url_for("consent.page", token=token, _external=True),
                "expires_at": link.expires_at}
