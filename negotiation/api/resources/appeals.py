"""Appeals of recorded violations: filing, evidence, review and queries (RULES.md §6)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from negotiation.api.caller import current_caller
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.api.schemas.appeals import (
    AppealDecisionIn,
    AppealDetail,
    AppealEvidenceOut,
    AppealIn,
    AppealListArgs,
    AppealPage,
)
from negotiation.api.schemas.assessment import RecordedViolationList
from negotiation.api.schemas.reports import EvidenceUpload
from negotiation.downloads import evidence_response
from negotiation.runtime import runtime
from negotiation.services.appeals import appeals
from negotiation.services.appeals import queries as appeal_queries

blp = Blueprint("appeals", __name__, description="Appeals (申诉) of violations and their review.")
APPEAL = "/appeals/<id:appeal_id>"


@blp.route("/orders/<order_no:order_no>/violations")
class ViolationsOfOrder(MethodView):
    @blp.response(200, RecordedViolationList)
    @documents_errors(blp, 403, 404)
    def get(self, order_no: str) -> object:
        """The order's recorded violations, with their ids and appeals."""
        number, items = appeal_queries.order_violations(runtime().uow(), current_caller(),
                                                        order_no)
        return {"order_no": number, "items": items}


@blp.route("/violations/<id:violation_id>/appeals")
class AppealsOfViolation(MethodView):
    @blp.arguments(AppealIn)
    @blp.response(201, AppealDetail)
    @documents_errors(blp, 403, 404, 409, 422)
    def post(self, body: dict, violation_id: int) -> object:
        """Appeal a recorded violation of the caller's store, once, within the window."""
        return appeals.file_appeal(runtime().uow(), current_caller(), violation_id, **body)


@blp.route("/appeals")
class Appeals(MethodView):
    @blp.arguments(AppealListArgs, location="query")
    @blp.response(200, AppealPage)
    @documents_errors(blp, 403, 422)
    def get(self, args: dict) -> object:
        """List appeals, the most overdue first: a store its own, a reviewer all."""
        return appeal_queries.list_appeals(runtime().uow(), current_caller(), **args)


@blp.route(APPEAL)
class AppealById(MethodView):
    @blp.response(200, AppealDetail)
    @documents_errors(blp, 404)
    def get(self, appeal_id: int) -> object:
        """Read an appeal with its evidence."""
        return appeal_queries.get_appeal(runtime().uow(), current_caller(), appeal_id)


@blp.route(f"{APPEAL}/uphold")
class UpholdAppeal(MethodView):
    @blp.arguments(AppealDecisionIn)
    @blp.response(200, AppealDetail)
    @documents_errors(blp, 403, 404, 409, 422)
    def post(self, body: dict, appeal_id: int) -> object:
        """Uphold a pending appeal: the violation stands (reviewer)."""
        return appeals.uphold_appeal(runtime().uow(), current_caller(), appeal_id, **body)


@blp.route(f"{APPEAL}/overturn")
class OverturnAppeal(MethodView):
    @blp.arguments(AppealDecisionIn)
    @blp.response(200, AppealDetail)
    @documents_errors(blp, 403, 404, 409, 422)
    def post(self, body: dict, appeal_id: int) -> object:
        """Overturn a pending appeal: the violation is waived, its charges reversed."""
        return appeals.overturn_appeal(runtime().uow(), current_caller(), appeal_id, **body)


@blp.route(f"{APPEAL}/evidence")
class EvidenceOfAppeal(MethodView):
    @blp.arguments(EvidenceUpload, location="files")
    @blp.response(201, AppealEvidenceOut)
    @documents_errors(blp, 403, 404, 409, 413, 422)
    def post(self, files: dict, appeal_id: int) -> object:
        """Attach an image or PDF as evidence (multipart field ``file``)."""
        upload = files["file"]
        return appeals.add_evidence(runtime().uow(), runtime().evidence, current_caller(),
                                    appeal_id, filename=upload.filename, stream=upload.stream)


@blp.route(f"{APPEAL}/evidence/<id:evidence_id>")
class AppealEvidenceFile(MethodView):
    @blp.response(200, content_type="application/octet-stream",
                  description="The file, with the media type it was recognised as.")
    @documents_errors(blp, 404)
    def get(self, appeal_id: int, evidence_id: int) -> Response:
        """Download an appeal's evidence file (the appeal's store and reviewers)."""
        view, data = appeal_queries.read_evidence(runtime().uow(), runtime().evidence,
                                                  current_caller(), appeal_id, evidence_id)
        return evidence_response(view, data)  # type: ignore[arg-type]
