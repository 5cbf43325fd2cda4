"""Use cases of appeals: file one, add evidence to it, uphold or overturn it.

Filing locks the violation's order, the lock every change to what an order owes takes,
and the violation is appealed once (a unique appeal per violation backs the rule up).
Deciding locks the appeal row first, then its order, so two reviewers deciding at once
yield one decision and one reversal.
"""

from __future__ import annotations

from typing import BinaryIO

from models import Appeal, AppealEvidence, Order, Violation
from negotiation.adapters.evidence_store import EvidenceStore
from negotiation.domain import appealing
from negotiation.domain.caller import Caller
from negotiation.domain.enums import AppealReason, AppealState, ExemptedBy
from negotiation.domain.errors import InvalidInput, NotFound
from negotiation.services.appeals.queries import appeal_detail
from negotiation.services.appeals.views import AppealEvidenceView, AppealView
from negotiation.services.assessment import assessment
from negotiation.services.core.settling import record, settle_order
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.reports.evidence import commit_with_file, stored_file


def file_appeal(uow: UnitOfWork, caller: Caller, violation_id: int, *, reason: AppealReason,
                description: str) -> AppealView:
    problems = appealing.text_problems(description)
    if problems:
        raise InvalidInput(f"Invalid appeal: {', '.join(problems)}.", fields=problems)
    with uow:
        order, violation = _locked_violation(uow, caller, violation_id)
        refusal = appealing.appeal_refusal(
            caller, violation, bool(uow.appeals.of_violations([violation.id])), uow.now,
            uow.policy)
        if refusal is not None:
            raise refusal
        appeal = Appeal(
            violation_id=violation.id, order_id=order.id, order_no=order.order_no,
            store_id=order.store_id, reason=reason, state=AppealState.PENDING_REVIEW,
            description=description.strip(), submitted_by=caller.account_id,
            submitted_at=uow.now, review_due_at=appealing.review_due_at(uow.now, uow.policy))
        uow.add(appeal)
        uow.flush()
        record(uow, order, [appealing.appeal_event(appeal, "appeal.submitted", uow.now)],
               caller)
        uow.commit()
        return appeal_detail(uow, caller, appeal, violation)


def _locked_violation(uow: UnitOfWork, caller: Caller,
                      violation_id: int) -> tuple[Order, Violation]:
    """The violation and its order, locked and settled; another store's reads as absent."""
    found = uow.appeals.violation(violation_id)
    order = uow.orders.order_by_id(found.order_id, lock=True) if found else None
    if order is None or not caller.is_seller_of(order.store_id):
        raise NotFound(f"No violation {violation_id}.")
    settle_order(uow, order)
    violation = next(v for v in order.violations if v.id == violation_id)
    return order, violation


def uphold_appeal(uow: UnitOfWork, caller: Caller, appeal_id: int,
                  note: str | None = None) -> AppealView:
    return _decide(uow, caller, appeal_id, "uphold", note)


def overturn_appeal(uow: UnitOfWork, caller: Caller, appeal_id: int,
                    note: str | None = None) -> AppealView:
    return _decide(uow, caller, appeal_id, "overturn", note)


def _decide(uow: UnitOfWork, caller: Caller, appeal_id: int, trigger: str,
            note: str | None) -> AppealView:
    refusal = appealing.role_refusal(caller)
    if refusal is not None:
        raise refusal
    with uow:
        appeal = uow.appeals.appeal(appeal_id, lock=True)
        if appeal is None:
            raise NotFound(f"No appeal {appeal_id}.")
        decision = appealing.decide(caller, appeal, trigger, uow.now, note)
        order = uow.orders.order_by_id(appeal.order_id, lock=True)
        assert order is not None
        settle_order(uow, order)
        violation = next(v for v in order.violations if v.id == appeal.violation_id)
        extra = {"note": decision.note} if decision.note else {}
        events = [appealing.appeal_event(appeal, f"appeal.{decision.state.value}", uow.now,
                                         **extra)]
        record(uow, order, events, caller)
        if decision.state is AppealState.OVERTURNED and assessment.counts(violation):
            record(uow, order, assessment.waive(uow, order, violation, ExemptedBy.APPEAL),
                   None)
        uow.commit()
        return appeal_detail(uow, caller, appeal, violation)


def add_evidence(uow: UnitOfWork, files: EvidenceStore, caller: Caller, appeal_id: int, *,
                 filename: str | None, stream: BinaryIO) -> AppealEvidenceView:
    """Attach a file as a report's is attached: written before its row commits, removed
    if the commit fails, judged by its content under the same policy."""
    policy = uow.policy
    data = stream.read(policy.evidence_max_bytes + 1)
    with uow:
        appeal = uow.appeals.appeal(appeal_id, lock=True)
        if appeal is None or not appealing.may_read(caller, appeal):
            raise NotFound(f"No appeal {appeal_id}.")
        refusal = appealing.evidence_refusal(caller, appeal)
        if refusal is not None:
            raise refusal
        evidence = AppealEvidence(appeal_id=appeal.id, **stored_file(
            uow, caller, data, filename, held=len(uow.appeals.evidence(appeal.id)),
            what="An appeal", under=f"appeals/{appeal.id}"))
        uow.add(evidence)
        commit_with_file(uow, files, evidence.storage_key, data)
        return AppealEvidenceView.of(evidence)
