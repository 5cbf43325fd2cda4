"""Webhook endpoints, their secrets and their deliveries."""

from __future__ import annotations

from flask.views import MethodView

from negotiation.api.caller import current_caller
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.api.schemas.common import PageArgs
from negotiation.api.schemas.notifications import (
    Delivery,
    DeliveryListArgs,
    DeliveryPage,
    Endpoint,
    EndpointIn,
    EndpointPage,
    EndpointPatch,
    NewEndpoint,
    Replayed,
    ReplayIn,
)
from negotiation.runtime import runtime
from negotiation.services.notifications import deliveries, endpoints

blp = Blueprint("webhooks", __name__,
                description="Webhook endpoints: events POSTed as they happen, signed per "
                            "the Standard Webhooks specification.")


@blp.route("/webhook-endpoints")
class Endpoints(MethodView):
    @blp.arguments(EndpointIn)
    @blp.response(201, NewEndpoint)
    @documents_errors(blp, 403, 422)
    def post(self, body: dict) -> object:
        """Subscribe a URL to event types; its signing secret is in this answer only."""
        rt = runtime()
        return endpoints.create_endpoint(rt.uow(), current_caller(), rt.webhooks,
                                         rt.webhook_seal, **body)

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, EndpointPage)
    @documents_errors(blp, 403, 422)
    def get(self, args: dict) -> object:
        """The caller's store's endpoints, or the platform's for reviewers and admins."""
        return endpoints.list_endpoints(runtime().uow(), current_caller(), **args)


@blp.route("/webhook-endpoints/<id:endpoint_id>")
class EndpointById(MethodView):
    @blp.response(200, Endpoint)
    @documents_errors(blp, 403, 404)
    def get(self, endpoint_id: int) -> object:
        """Read one endpoint (never its secret)."""
        return endpoints.get_endpoint(runtime().uow(), current_caller(), endpoint_id)

    @blp.arguments(EndpointPatch)
    @blp.response(200, Endpoint)
    @documents_errors(blp, 403, 404, 422)
    def patch(self, body: dict, endpoint_id: int) -> object:
        """Change what it receives, its URL or description; disable or re-enable it."""
        rt = runtime()
        return endpoints.update_endpoint(rt.uow(), current_caller(), rt.webhooks,
                                         endpoint_id, **body)

    @blp.response(204)
    @documents_errors(blp, 403, 404)
    def delete(self, endpoint_id: int) -> None:
        """Delete it with its deliveries: nothing more is sent to it."""
        endpoints.delete_endpoint(runtime().uow(), current_caller(), endpoint_id)


@blp.route("/webhook-endpoints/<id:endpoint_id>/rotate-secret")
class RotateSecret(MethodView):
    @blp.response(200, NewEndpoint)
    @documents_errors(blp, 403, 404)
    def post(self, endpoint_id: int) -> object:
        """A new signing secret; the old one signs beside it for 24 hours."""
        rt = runtime()
        return endpoints.rotate_secret(rt.uow(), current_caller(), rt.webhook_seal,
                                       endpoint_id)


@blp.route("/webhook-endpoints/<id:endpoint_id>/deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryListArgs, location="query")
    @blp.response(200, DeliveryPage)
    @documents_errors(blp, 403, 404, 422)
    def get(self, args: dict, endpoint_id: int) -> object:
        """The endpoint's deliveries, newest first, each with every attempt."""
        return deliveries.list_deliveries(runtime().uow(), current_caller(), endpoint_id,
                                          **args)


@blp.route("/webhook-endpoints/<id:endpoint_id>/deliveries/<id:delivery_id>/retry")
class RetryDelivery(MethodView):
    @blp.response(202, Delivery)
    @documents_errors(blp, 403, 404)
    def post(self, endpoint_id: int, delivery_id: int) -> object:
        """Deliver it again now, whatever its state, with a fresh retry schedule."""
        return deliveries.retry_delivery(runtime().uow(), current_caller(), endpoint_id,
                                         delivery_id)


@blp.route("/webhook-endpoints/<id:endpoint_id>/replay")
class Replay(MethodView):
    @blp.arguments(ReplayIn)
    @blp.response(202, Replayed)
    @documents_errors(blp, 403, 404, 422)
    def post(self, body: dict, endpoint_id: int) -> object:
        """Deliver again every subscribed event since an instant."""
        queued = deliveries.replay_since(runtime().uow(), current_caller(), endpoint_id,
                                         body["since"])
        return {"queued": queued}
