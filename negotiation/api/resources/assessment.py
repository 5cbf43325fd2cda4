"""Carrier scans, what missed deadlines cost, and reviewers' regional decisions."""

from __future__ import annotations

from flask.views import MethodView

from negotiation.api.caller import current_caller
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.api.schemas.assessment import (
    AssessmentArgs,
    AssessmentOut,
    ExemptionIn,
    ExemptionListArgs,
    ExemptionOut,
    ExemptionPage,
    ExtensionIn,
    ExtensionListArgs,
    ExtensionOut,
    ExtensionPage,
    LedgerArgs,
    LedgerOut,
    PlaceList,
)
from negotiation.api.schemas.orders import ScanIn, ScanOut
from negotiation.domain import places
from negotiation.runtime import runtime
from negotiation.services.assessment import queries as assessment_queries
from negotiation.services.assessment import regions
from negotiation.services.orders import scans

blp = Blueprint("assessment", __name__,
                description="Scans, assessments, penalty ledgers, regional exemptions.")


@blp.route("/shipments/<tracking_no:tracking_no>/scans")
class ScansOfShipment(MethodView):
    @blp.arguments(ScanIn)
    @blp.response(201, ScanOut)
    @documents_errors(blp, 403, 404, 422)
    def post(self, body: dict, tracking_no: str) -> object:
        """Record a carrier scan (the carrier feed, admin)."""
        return scans.record_scan(runtime().uow(), current_caller(), tracking_no, **body)


@blp.route("/orders/<order_no:order_no>/assessment")
class AssessmentOfOrder(MethodView):
    @blp.arguments(AssessmentArgs, location="query")
    @blp.response(200, AssessmentOut)
    @documents_errors(blp, 403, 404, 409, 422)
    def get(self, args: dict, order_no: str) -> object:
        """Deadlines, violations and charges; with `ship_at`, what shipping then adds."""
        return assessment_queries.order_assessment(runtime().uow(), current_caller(), order_no,
                                                   args.get("ship_at"))


@blp.route("/stores/<id:store_id>/penalties")
class PenaltiesOfStore(MethodView):
    @blp.arguments(LedgerArgs, location="query")
    @blp.response(200, LedgerOut)
    @documents_errors(blp, 403, 404, 422)
    def get(self, args: dict, store_id: int) -> object:
        """The store's penalty ledger, oldest first, with totals per day."""
        return assessment_queries.store_penalties(
            runtime().uow(), current_caller(), store_id, start=args.get("from_"),
            end=args.get("to"), limit=args["limit"], cursor=args.get("cursor"))


@blp.route("/exemptions")
class Exemptions(MethodView):
    @blp.arguments(ExemptionIn)
    @blp.response(201, ExemptionOut)
    @documents_errors(blp, 403, 422)
    def post(self, body: dict) -> object:
        """Declare a regional exemption (reviewer); waives what it covers, past and future."""
        return regions.declare_exemption(runtime().uow(), current_caller(), **body)

    @blp.arguments(ExemptionListArgs, location="query")
    @blp.response(200, ExemptionPage)
    @documents_errors(blp, 403, 422)
    def get(self, args: dict) -> object:
        """Regional exemptions, newest first, by region, state and kind (reviewers)."""
        return regions.list_exemptions(runtime().uow(), current_caller(), **args)


@blp.route("/exemptions/<id:exemption_id>/end")
class EndExemption(MethodView):
    @blp.response(200, ExemptionOut)
    @documents_errors(blp, 403, 404, 409)
    def post(self, exemption_id: int) -> object:
        """End an exemption now (reviewer): it waives nothing falling due from now on."""
        return regions.end_exemption(runtime().uow(), current_caller(), exemption_id)


@blp.route("/regional-extensions")
class Extensions(MethodView):
    @blp.arguments(ExtensionIn)
    @blp.response(201, ExtensionOut)
    @documents_errors(blp, 403, 422)
    def post(self, body: dict) -> object:
        """Extend a region's ship deadlines by 14 days (reviewer, seed 001)."""
        return regions.declare_extension(runtime().uow(), current_caller(), **body)

    @blp.arguments(ExtensionListArgs, location="query")
    @blp.response(200, ExtensionPage)
    @documents_errors(blp, 403, 422)
    def get(self, args: dict) -> object:
        """Regional extensions, newest first, by region, state and cause (reviewers)."""
        return regions.list_extensions(runtime().uow(), current_caller(), **args)


@blp.route("/regional-extensions/<id:extension_id>/end")
class EndExtension(MethodView):
    @blp.response(200, ExtensionOut)
    @documents_errors(blp, 403, 404, 409)
    def post(self, extension_id: int) -> object:
        """End an extension now (reviewer): orders created from now on are not extended;
        deadlines it moved stay moved."""
        return regions.end_extension(runtime().uow(), current_caller(), extension_id)


@blp.route("/regions")
class Regions(MethodView):
    @blp.response(200, PlaceList)
    def get(self) -> object:
        """The places a regional exemption or extension may name, by code (any caller)."""
        return {"items": places.PLACES}
