"""The appeal rules without a database: the window to the microsecond, once, what still
counts, who decides, and the machine's states."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from negotiation.domain import appealing
from negotiation.domain.caller import Caller
from negotiation.domain.enums import AppealState, ExemptedBy, Role
from negotiation.domain.errors import Forbidden, Refused
from negotiation.domain.machine import APPEAL_MACHINE, TransitionRejected, final_states, fire
from negotiation.domain.policy import Policy

DETECTED = datetime(2026, 11, 24, 8, tzinfo=UTC)
POLICY = Policy()
OWNER = Caller(Role.OWNER, account_id=1, store_id=7)
REVIEWER = Caller(Role.REVIEWER, account_id=2)
MICROSECOND = timedelta(microseconds=1)


@dataclass
class FakeViolation:
    store_id: int = 7
    detected_at: datetime = DETECTED
    exempted_by: ExemptedBy | None = None
    disproved_at: datetime | None = None


@dataclass
class FakeAppeal:
    id: int = 1
    store_id: int = 7
    state: AppealState = AppealState.PENDING_REVIEW
    submitted_at: datetime = DETECTED
    review_due_at: datetime = DETECTED + timedelta(hours=48)
    reviewed_at: datetime | None = None
    reviewed_by: int | None = None
    review_note: str | None = None


def refusal(violation=None, *, appealed=False, at=DETECTED, caller=OWNER):
    return appealing.appeal_refusal(caller, violation or FakeViolation(), appealed, at, POLICY)


def test_the_window_is_open_until_the_last_microsecond_of_the_7th_day():
    assert refusal(at=DETECTED + timedelta(days=7) - MICROSECOND) is None
    closed = refusal(at=DETECTED + timedelta(days=7))
    assert isinstance(closed, Refused) and closed.code == "violation_not_appealable"


def test_the_window_is_the_policys():
    policy = Policy.from_mapping({"appeal_window_days": 3})
    assert appealing.appeal_deadline(FakeViolation(), policy) == DETECTED + timedelta(days=3)


def test_a_violation_is_appealed_once():
    assert refusal(appealed=True).code == "violation_not_appealable"


@pytest.mark.parametrize("violation", [FakeViolation(exempted_by=ExemptedBy.DELAY_REPORT),
                                       FakeViolation(disproved_at=DETECTED)],
                         ids=["waived", "disproved"])
def test_what_no_longer_counts_is_not_appealable(violation):
    assert refusal(violation).code == "violation_not_appealable"


@pytest.mark.parametrize("role", [Role.BUYER, Role.REVIEWER, Role.ADMIN])
def test_only_a_stores_sellers_appeal(role):
    assert isinstance(refusal(caller=Caller(role, account_id=3)), Forbidden)


def test_a_reviewer_overturns_a_pending_appeal_once():
    appeal = FakeAppeal()
    decision = appealing.decide(REVIEWER, appeal, "overturn", DETECTED, " Confirmed ")
    assert (decision.state, decision.note) == (AppealState.OVERTURNED, "Confirmed")
    assert (appeal.reviewed_by, appeal.reviewed_at) == (2, DETECTED)
    with pytest.raises(Refused) as again:
        appealing.decide(REVIEWER, appeal, "uphold", DETECTED, None)
    assert again.value.code == "appeal_not_pending"


def test_a_seller_decides_nothing():
    with pytest.raises(Forbidden):
        appealing.decide(OWNER, FakeAppeal(), "overturn", DETECTED, None)


def test_an_appeal_is_overdue_from_its_review_due_time():
    appeal = FakeAppeal()
    assert not appealing.is_overdue(appeal, appeal.review_due_at - MICROSECOND)
    assert appealing.is_overdue(appeal, appeal.review_due_at)


def test_upheld_and_overturned_are_final():
    assert final_states(APPEAL_MACHINE) == {"upheld", "overturned"}
    appeal = FakeAppeal(state=AppealState.UPHELD)
    with pytest.raises(TransitionRejected):
        fire(APPEAL_MACHINE, appeal, "overturn")
