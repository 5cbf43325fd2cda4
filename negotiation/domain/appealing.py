"""The rules of appeals (RULES.md §6): which violation a store may appeal, and who decides.

A store appeals one of its recorded violations once, within the policy's window after the
violation was detected, while it still counts (neither waived nor disproved). A reviewer
upholds it or overturns it. Like the other rule modules, every function takes ``now`` and
the policy explicitly and reads only the attributes it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from negotiation.domain import errors
from negotiation.domain.caller import Caller
from negotiation.domain.enums import AppealState, ExemptedBy, Role
from negotiation.domain.errors import DomainError, Forbidden, InvalidInput, Refused
from negotiation.domain.events import DomainEvent
from negotiation.domain.machine import APPEAL_MACHINE, fire
from negotiation.domain.policy import Policy
from negotiation.domain.reporting import TEXT_LIMIT, file_refusal

DECISIONS = ("uphold", "overturn")


class ViolationLike(Protocol):
    store_id: int
    detected_at: datetime
    exempted_by: ExemptedBy | None
    disproved_at: datetime | None


class AppealLike(Protocol):
    store_id: int
    state: AppealState
    submitted_at: datetime
    review_due_at: datetime
    reviewed_at: datetime | None


# --- filing ----------------------------------------------------------------------------


def appeal_deadline(violation: ViolationLike, policy: Policy) -> datetime:
    """The first instant a violation may no longer be appealed."""
    return violation.detected_at + policy.appeal_window


def appeal_refusal(caller: Caller, violation: ViolationLike, already_appealed: bool,
                   now: datetime, policy: Policy) -> DomainError | None:
    """Why the caller may not appeal this violation now, or None.

    The window is half-open like every window here: at ``detected_at + appeal_window``
    it has closed.
    """
    refusal = file_refusal(caller)
    if refusal is not None:
        return Forbidden("Only a store's owner or its agents may appeal its violations.")
    if already_appealed:
        return _not_appealable("This violation has been appealed already; it may be "
                               "appealed once.")
    if violation.exempted_by is not None:
        return _not_appealable(f"This violation was waived ({violation.exempted_by.value}); "
                               "there is nothing to appeal.")
    if violation.disproved_at is not None:
        return _not_appealable("A carrier scan showed this violation never happened; "
                               "there is nothing to appeal.")
    if now >= appeal_deadline(violation, policy):
        return _not_appealable(f"A violation may be appealed within "
                               f"{policy.appeal_window.days} days of its detection.")
    return None


def _not_appealable(detail: str) -> Refused:
    return Refused(detail, code=errors.VIOLATION_NOT_APPEALABLE)


def text_problems(description: str) -> dict[str, str]:
    if not description.strip():
        return {"description": "Describe why the violation should not stand."}
    if len(description) > TEXT_LIMIT:
        return {"description": f"At most {TEXT_LIMIT} characters."}
    return {}


def review_due_at(submitted_at: datetime, policy: Policy) -> datetime:
    return submitted_at + policy.appeal_review_window


# --- who reads and decides -------------------------------------------------------------


def may_read(caller: Caller, appeal: AppealLike) -> bool:
    """A store reads its own appeals; reviewers read every appeal."""
    return caller.role is Role.REVIEWER or caller.is_seller_of(appeal.store_id)


def role_refusal(caller: Caller) -> DomainError | None:
    """Checked before the appeal is looked up, so a 403 tells nothing about what exists."""
    if caller.role is not Role.REVIEWER:
        return Forbidden("Only platform reviewers decide appeals.")
    return None


def pending_refusal(appeal: AppealLike) -> DomainError | None:
    if appeal.state is not AppealState.PENDING_REVIEW:
        return Refused(f"The appeal is {appeal.state.value}, not waiting for review.",
                       code=errors.APPEAL_NOT_PENDING)
    return None


def evidence_refusal(caller: Caller, appeal: AppealLike) -> DomainError | None:
    if not caller.is_seller_of(appeal.store_id):
        return Forbidden("Only the store's owner or its agents add evidence to its appeals.")
    return pending_refusal(appeal)


def appeal_actions(caller: Caller, appeal: AppealLike) -> dict[str, DomainError | None]:
    """For each thing one may do to an appeal, None when the caller may now, else why not."""
    decide_refusal = role_refusal(caller) or pending_refusal(appeal)
    return {"uphold": decide_refusal, "overturn": decide_refusal,
            "add_evidence": evidence_refusal(caller, appeal)}


def is_overdue(appeal: AppealLike, now: datetime) -> bool:
    return appeal.state is AppealState.PENDING_REVIEW and now >= appeal.review_due_at


# --- deciding --------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    state: AppealState
    note: str | None


def decide(caller: Caller, appeal: Any, trigger: str, now: datetime,
           note: str | None) -> Decision:
    """Uphold or overturn a pending appeal; either way the reviewer's note is kept."""
    refusal = role_refusal(caller) or pending_refusal(appeal)
    if refusal is not None:
        raise refusal
    if note is not None and len(note) > TEXT_LIMIT:
        raise InvalidInput(f"At most {TEXT_LIMIT} characters.", field="note")
    fire(APPEAL_MACHINE, appeal, trigger)
    appeal.reviewed_by, appeal.reviewed_at = caller.account_id, now
    appeal.review_note = note.strip() if note and note.strip() else None
    return Decision(appeal.state, appeal.review_note)


def appeal_event(appeal: Any, type_: str, at: datetime, **extra: Any) -> DomainEvent:
    """The event an appeal writes on its order's timeline."""
    return DomainEvent(type_, at, {"appeal_id": appeal.id, "violation_id": appeal.violation_id,
                                   "reason": appeal.reason.value, **extra})
