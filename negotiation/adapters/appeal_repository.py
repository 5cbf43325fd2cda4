"""The queries of the appeal path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models import Appeal, AppealEvidence, Violation
from negotiation.domain.enums import AppealState


@dataclass(frozen=True)
class AppealFilter:
    """What an appeal list may be narrowed to; None means any."""

    store_id: int | None = None
    state: AppealState | None = None
    order_no: str | None = None


class AppealRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def appeal(self, appeal_id: int, *, lock: bool = False) -> Appeal | None:
        """One appeal; ``lock`` holds its row until commit, so two reviewers queue up and
        the second finds it decided."""
        query = select(Appeal).where(Appeal.id == appeal_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalars(query).first()

    def appeals(self, where: AppealFilter, *, after: tuple[datetime, int] | None,
                limit: int) -> Sequence[Appeal]:
        """Appeals by review due time: the most overdue first, as a reviewer works."""
        query = select(Appeal).order_by(Appeal.review_due_at, Appeal.id).limit(limit)
        if where.store_id is not None:
            query = query.where(Appeal.store_id == where.store_id)
        if where.state is not None:
            query = query.where(Appeal.state == where.state)
        if where.order_no is not None:
            query = query.where(Appeal.order_no == where.order_no)
        if after is not None:
            due, appeal_id = after
            query = query.where(or_(Appeal.review_due_at > due, and_(
                Appeal.review_due_at == due, Appeal.id > appeal_id)))
        return self.session.scalars(query).all()

    def of_violations(self, violation_ids: Sequence[int]) -> dict[int, Appeal]:
        """The appeal of each of these violations that has one."""
        if not violation_ids:
            return {}
        rows = self.session.scalars(
            select(Appeal).where(Appeal.violation_id.in_(list(violation_ids))))
        return {appeal.violation_id: appeal for appeal in rows}

    def violation(self, violation_id: int) -> Violation | None:
        return self.session.get(Violation, violation_id)

    def evidence(self, appeal_id: int) -> Sequence[AppealEvidence]:
        return self.session.scalars(
            select(AppealEvidence).where(AppealEvidence.appeal_id == appeal_id)
            .order_by(AppealEvidence.id)).all()

    def evidence_item(self, appeal_id: int, evidence_id: int) -> AppealEvidence | None:
        return self.session.scalars(select(AppealEvidence).where(
            AppealEvidence.appeal_id == appeal_id, AppealEvidence.id == evidence_id)).first()
