"""Reading appeals: one with its evidence, a filtered list, a file."""

from __future__ import annotations

from models import Appeal, Violation
from negotiation.adapters.appeal_repository import AppealFilter
from negotiation.adapters.evidence_store import EvidenceStore
from negotiation.domain import appealing
from negotiation.domain.caller import Caller
from negotiation.domain.enums import AppealState, Role
from negotiation.domain.errors import Forbidden, NotFound
from negotiation.domain.reporting import file_refusal
from negotiation.services.appeals.views import AppealEvidenceView, AppealView
from negotiation.services.assessment.queries import ASSESSMENT_READERS
from negotiation.services.assessment.views import ViolationView
from negotiation.services.core import pagination
from negotiation.services.core.settling import load_for_read
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import Page


def appeal_detail(uow: UnitOfWork, caller: Caller, appeal: Appeal,
                  violation: Violation) -> AppealView:
    return AppealView.of(appeal, violation, uow.now, caller, evidence=[
        AppealEvidenceView.of(e) for e in uow.appeals.evidence(appeal.id)])


def readable_appeal(uow: UnitOfWork, caller: Caller, appeal_id: int) -> Appeal:
    appeal = uow.appeals.appeal(appeal_id)
    if appeal is None or not appealing.may_read(caller, appeal):
        raise NotFound(f"No appeal {appeal_id}.")
    return appeal


def get_appeal(uow: UnitOfWork, caller: Caller, appeal_id: int) -> AppealView:
    with uow:
        appeal = readable_appeal(uow, caller, appeal_id)
        violation = uow.appeals.violation(appeal.violation_id)
        assert violation is not None
        return appeal_detail(uow, caller, appeal, violation)


def list_appeals(uow: UnitOfWork, caller: Caller, *, limit: int, cursor: str | None = None,
                 state: AppealState | None = None,
                 order_no: str | None = None) -> Page[AppealView]:
    """A store's own appeals, or every appeal for a reviewer: the most overdue first."""
    if caller.role is Role.REVIEWER:
        store_id = None
    elif file_refusal(caller) is None:
        store_id = caller.store_id
    else:
        raise Forbidden("Appeals are read by their store and by reviewers.")
    after = pagination.decode_instant_id(cursor)
    with uow:
        appeals = list(uow.appeals.appeals(
            AppealFilter(store_id=store_id, state=state, order_no=order_no),
            after=after, limit=limit + 1))
        more = len(appeals) > limit
        appeals = appeals[:limit]
        next_cursor = (pagination.encode_instant_id(appeals[-1].review_due_at, appeals[-1].id)
                       if more else None)
        items = []
        for appeal in appeals:
            violation = uow.appeals.violation(appeal.violation_id)
            assert violation is not None
            items.append(AppealView.of(appeal, violation, uow.now, caller))
        return Page(items, next_cursor)


def order_violations(uow: UnitOfWork, caller: Caller,
                     order_no: str) -> tuple[str, list[ViolationView]]:
    """An order's recorded violations, each with its id and its appeal, if any."""
    if caller.role not in ASSESSMENT_READERS:
        raise Forbidden("An order's violations are read by its store and reviewers.")
    with uow:
        order = load_for_read(uow, caller, order_no)  # what fell due is recorded first
        appeals = uow.appeals.of_violations([v.id for v in order.violations])
        return order.order_no, [ViolationView.of(v, appeals.get(v.id))
                                for v in order.violations]


def read_evidence(uow: UnitOfWork, files: EvidenceStore, caller: Caller, appeal_id: int,
                  evidence_id: int) -> tuple[AppealEvidenceView, bytes]:
    """A file and what it is: only for the appeal's store and for reviewers."""
    with uow:
        readable_appeal(uow, caller, appeal_id)
        evidence = uow.appeals.evidence_item(appeal_id, evidence_id)
        if evidence is None:
            raise NotFound(f"No evidence {evidence_id} on appeal {appeal_id}.")
        return AppealEvidenceView.of(evidence), files.get(evidence.storage_key)
