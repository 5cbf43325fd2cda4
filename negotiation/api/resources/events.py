"""The change feed: every event the caller may see, across orders."""

from __future__ import annotations

from flask.views import MethodView

from negotiation.api.caller import current_caller
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.api.schemas.notifications import EventOut, FeedArgs, FeedPage
from negotiation.runtime import runtime
from negotiation.services.notifications import feed

blp = Blueprint("events", __name__, description="The change feed of events, across orders.")


@blp.route("/events")
class Events(MethodView):
    @blp.arguments(FeedArgs, location="query")
    @blp.response(200, FeedPage)
    @documents_errors(blp, 422)
    def get(self, args: dict) -> object:
        """The events the caller may see after a cursor, oldest first; always a next cursor."""
        return feed.list_feed(runtime().uow(), current_caller(), limit=args["limit"],
                              after=args.get("after"), types=args.get("type", ()),
                              order_no=args.get("order_no"))


@blp.route("/events/<id:event_id>")
class EventById(MethodView):
    @blp.response(200, EventOut)
    @documents_errors(blp, 404)
    def get(self, event_id: int) -> object:
        """Read one event the caller may see."""
        return feed.get_feed_event(runtime().uow(), current_caller(), event_id)
