"""RULES.md §3 and §4: delay reports — their shape, what they cover, who decides them,
when their review is due — and the deadlines they move. No app, no database: plain fakes
and an explicit ``now``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiation.clock import iso_utc
from negotiation.domain import eligibility, errors, reporting
from negotiation.domain import negotiating as rules
from negotiation.domain.caller import Caller
from negotiation.domain.deadlines import (
    Deadline,
    original_collect_by,
    resolve_collect_by,
    resolve_ship_by,
)
from negotiation.domain.enums import (
    NegotiationState,
    OrderKind,
    OrderStatus,
    ReportKind,
    ReportStatus,
    Role,
    ShipBySource,
    ShipMode,
)
from negotiation.domain.errors import Forbidden, InvalidInput, Refused
from negotiation.domain.evidence import NAME_LIMIT, safe_filename, sniff
from negotiation.domain.machine import (
    REPORT_MACHINE,
    REPORT_TRANSITIONS,
    TransitionRejected,
    fire,
)
from negotiation.domain.policy import Policy
from tests.unit.fakes import (
    ADMIN,
    AGENT,
    BUYER,
    DEADLINE,
    OTHER_OWNER,
    OTHER_STORE_ID,
    OWNER,
    POLICY,
    REVIEWER,
    START,
    FakeNegotiation,
    FakeStore,
    order,
    send,
)
from tests.unit.report_fakes import DUE, SUBMITTED, FakeReport, report

S = ShipBySource
SECOND = timedelta(seconds=1)
DECIDED = [ReportStatus.APPROVED, ReportStatus.REJECTED, ReportStatus.WITHDRAWN]
NOT_REVIEWERS = [OWNER, AGENT, OTHER_OWNER, BUYER, ADMIN]
NOT_REVIEWER_IDS = ["owner", "agent", "other-store-owner", "buyer", "admin"]


# --- the shape of a report: what each kind needs and what it does not use ------------

COMPLETE = {
    ReportKind.SHIPMENT: {"order_nos": ["A1"], "latest_ship_at": DEADLINE + timedelta(days=1)},
    ReportKind.COLLECTION: {"tracking_nos": ["SF1"],
                            "latest_collect_at": DEADLINE + timedelta(days=1)},
    ReportKind.STORE: {"window_start": START, "window_end": START + timedelta(days=2),
                       "latest_ship_at": START + timedelta(days=3)},
}
ALL_FIELDS = {"order_nos": ["A1"], "tracking_nos": ["SF1"], "window_start": START,
              "window_end": START + timedelta(days=2), "latest_ship_at": DEADLINE,
              "latest_collect_at": DEADLINE}
NEEDED = {ReportKind.SHIPMENT: {"order_nos", "latest_ship_at"},
          ReportKind.COLLECTION: {"tracking_nos", "latest_collect_at"},
          ReportKind.STORE: {"window_start", "window_end", "latest_ship_at"}}


@pytest.mark.parametrize("kind", list(ReportKind))
def test_a_report_with_exactly_the_fields_of_its_kind_has_no_shape_problem(kind):
    assert reporting.shape_problems(kind, COMPLETE[kind]) == {}


@pytest.mark.parametrize("empty", [None, [], ""], ids=["none", "empty-list", "empty-string"])
@pytest.mark.parametrize(("kind", "name"),
                         [(k, n) for k in ReportKind for n in sorted(NEEDED[k])])
def test_a_report_lacking_a_field_its_kind_needs_names_that_field(kind, name, empty):
    given_fields = {**COMPLETE[kind], name: empty}
    problems = reporting.shape_problems(kind, given_fields)
    assert set(problems) == {name}
    assert "needs" in problems[name]


@pytest.mark.parametrize("kind", list(ReportKind))
def test_a_report_missing_every_field_names_each_field_its_kind_needs(kind):
    assert set(reporting.shape_problems(kind, {})) == NEEDED[kind]


@pytest.mark.parametrize(("kind", "name"),
                         [(k, n) for k in ReportKind for n in sorted(set(ALL_FIELDS) - NEEDED[k])])
def test_a_field_the_kind_does_not_use_is_named_as_not_used(kind, name):
    problems = reporting.shape_problems(kind, {**COMPLETE[kind], name: ALL_FIELDS[name]})
    assert set(problems) == {name}
    assert "does not use" in problems[name]


@pytest.mark.parametrize("kind", list(ReportKind))
def test_every_field_of_other_kinds_is_named_at_once(kind):
    problems = reporting.shape_problems(kind, ALL_FIELDS)
    assert set(problems) == set(ALL_FIELDS) - NEEDED[kind]


def test_an_empty_value_of_a_field_the_kind_does_not_use_is_no_problem():
    given_fields = {**COMPLETE[ReportKind.SHIPMENT], "tracking_nos": [], "window_start": None}
    assert reporting.shape_problems(ReportKind.SHIPMENT, given_fields) == {}


# --- a latest time: after the deadline it replaces, within the horizon, in the future -


def latest_problem(latest: datetime, *, replaced: datetime = DEADLINE, now: datetime = START,
                   policy: Policy = POLICY) -> str | None:
    return reporting.latest_time_problem(latest, replaced, now, policy, "the ship deadline")


def test_a_latest_time_one_second_after_the_replaced_deadline_is_accepted():
    assert latest_problem(DEADLINE + SECOND) is None


def test_a_latest_time_equal_to_the_replaced_deadline_is_refused():
    problem = latest_problem(DEADLINE)
    assert problem is not None
    assert problem.startswith("must be after the ship deadline")
    assert iso_utc(DEADLINE) in problem


def test_a_latest_time_before_the_replaced_deadline_is_refused():
    assert latest_problem(DEADLINE - SECOND) is not None


def test_a_latest_time_exactly_fifteen_days_after_the_replaced_deadline_is_accepted():
    assert POLICY.report_horizon == timedelta(days=15)
    assert latest_problem(DEADLINE + timedelta(days=15)) is None


def test_a_latest_time_one_second_past_fifteen_days_is_refused_naming_the_limit():
    problem = latest_problem(DEADLINE + timedelta(days=15) + SECOND)
    assert problem is not None
    assert "at most 15 days" in problem
    assert iso_utc(DEADLINE + timedelta(days=15)) in problem


def test_the_horizon_follows_the_policy():
    short = Policy(report_horizon=timedelta(days=3))
    assert latest_problem(DEADLINE + timedelta(days=3), policy=short) is None
    assert latest_problem(DEADLINE + timedelta(days=3) + SECOND, policy=short) is not None


def test_a_latest_time_after_a_passed_deadline_must_still_be_in_the_future():
    passed = START - timedelta(hours=10)
    assert latest_problem(START, replaced=passed) == "must be in the future"
    assert latest_problem(START - SECOND, replaced=passed) == "must be in the future"
    assert latest_problem(START + SECOND, replaced=passed) is None


# --- a store report's window --------------------------------------------------------

W_START = START + timedelta(days=1)
W_END = W_START + timedelta(days=2)


def window(start: datetime = W_START, end: datetime = W_END,
           latest: datetime | None = None, *, now: datetime = START,
           policy: Policy = POLICY) -> dict[str, str]:
    return reporting.window_problems(start, end, latest or end + timedelta(days=1), now, policy)


def test_a_window_ending_after_it_starts_with_a_latest_time_after_its_end_is_accepted():
    assert window() == {}


@pytest.mark.parametrize("end", [W_START, W_START - SECOND], ids=["empty", "backwards"])
def test_a_window_that_does_not_end_after_it_starts_is_refused_on_window_end(end):
    assert set(window(W_START, end)) == {"window_end"}


def test_a_window_exactly_thirty_days_long_is_accepted():
    assert POLICY.store_window_max == timedelta(days=30)
    assert window(W_START, W_START + timedelta(days=30)) == {}


def test_a_window_one_second_longer_than_thirty_days_is_refused_on_window_end():
    problems = window(W_START, W_START + timedelta(days=30) + SECOND)
    assert set(problems) == {"window_end"}
    assert "30 days" in problems["window_end"]


def test_the_longest_window_follows_the_policy():
    short = Policy(store_window_max=timedelta(days=2))
    assert window(W_START, W_START + timedelta(days=2), policy=short) == {}
    assert set(window(W_START, W_START + timedelta(days=2) + SECOND, policy=short)) == {
        "window_end"}


def test_a_latest_ship_time_at_the_window_end_is_refused():
    problems = window(latest=W_END)
    assert set(problems) == {"latest_ship_at"}
    assert "window_end" in problems["latest_ship_at"]


def test_a_latest_ship_time_inside_the_window_is_refused():
    assert set(window(latest=W_START + timedelta(hours=1))) == {"latest_ship_at"}


def test_a_latest_ship_time_is_measured_from_the_window_end_not_its_start():
    start, end = W_START, W_START + timedelta(days=20)
    assert window(start, end, end + timedelta(days=15)) == {}
    assert set(window(start, end, end + timedelta(days=15) + SECOND)) == {"latest_ship_at"}


def test_a_latest_ship_time_after_a_past_window_must_be_in_the_future():
    start, end = START - timedelta(days=5), START - timedelta(days=1)
    assert window(start, end, START) == {"latest_ship_at": "must be in the future"}
    assert window(start, end, START + SECOND) == {}


# --- what a report covers -----------------------------------------------------------


def test_a_store_report_covers_a_deadline_at_the_window_start():
    assert reporting.in_window(W_START, W_END, W_START)


def test_a_store_report_covers_a_deadline_just_before_the_window_end():
    assert reporting.in_window(W_START, W_END, W_END - timedelta(microseconds=1))


def test_a_store_report_does_not_cover_a_deadline_at_the_window_end():
    assert not reporting.in_window(W_START, W_END, W_END)


def test_a_store_report_does_not_cover_a_deadline_just_before_the_window():
    assert not reporting.in_window(W_START, W_END, W_START - timedelta(microseconds=1))


def test_a_collection_report_covers_the_tracking_number_it_names():
    assert reporting.collection_covered({"SF-A"}, "SF-A")


def test_a_collection_report_no_longer_covers_an_order_once_it_ships_under_another_number():
    covering_a = {"SF-A"}
    assert reporting.collection_covered(covering_a, "SF-A")
    assert not reporting.collection_covered(covering_a, "SF-B")
    assert reporting.collection_covered({"SF-B"}, "SF-B")


def test_a_collection_report_covers_nothing_without_a_tracking_number():
    assert not reporting.collection_covered({"SF-A"}, None)


# --- who may file, review, withdraw, add evidence, read ----------------------------


@pytest.mark.parametrize("caller", [OWNER, AGENT], ids=["owner", "agent"])
def test_a_store_owner_or_agent_may_file_a_report(caller):
    assert reporting.file_refusal(caller) is None


@pytest.mark.parametrize("caller", [BUYER, REVIEWER, ADMIN,
                                    Caller(role=Role.OWNER, account_id=40)],
                         ids=["buyer", "reviewer", "admin", "owner-without-store"])
def test_anyone_else_filing_a_report_is_forbidden(caller):
    assert isinstance(reporting.file_refusal(caller), Forbidden)


def test_a_reviewer_may_review_a_pending_report():
    assert reporting.review_refusal(REVIEWER, report()) is None


@pytest.mark.parametrize("caller", NOT_REVIEWERS, ids=NOT_REVIEWER_IDS)
def test_only_reviewers_review_reports(caller):
    assert isinstance(reporting.review_refusal(caller, report()), Forbidden)


@pytest.mark.parametrize("status", DECIDED)
def test_a_reviewer_reviewing_a_decided_report_is_refused_with_report_not_pending(status):
    found = reporting.review_refusal(REVIEWER, report(status=status))
    assert isinstance(found, Refused)
    assert found.code == errors.REPORT_NOT_PENDING == "report_not_pending"


@pytest.mark.parametrize("caller", [OWNER, AGENT], ids=["owner", "agent"])
def test_the_reports_own_store_may_withdraw_it_while_pending(caller):
    assert reporting.withdraw_refusal(caller, report()) is None


@pytest.mark.parametrize("caller", [OTHER_OWNER, BUYER, REVIEWER, ADMIN],
                         ids=["other-store-owner", "buyer", "reviewer", "admin"])
def test_no_one_but_the_reports_own_store_may_withdraw_it(caller):
    assert isinstance(reporting.withdraw_refusal(caller, report()), Forbidden)


def test_an_owner_may_not_withdraw_another_stores_report():
    assert isinstance(reporting.withdraw_refusal(OWNER, report(store_id=OTHER_STORE_ID)),
                      Forbidden)


@pytest.mark.parametrize("status", DECIDED)
def test_withdrawing_a_decided_report_is_refused_with_report_not_pending(status):
    found = reporting.withdraw_refusal(OWNER, report(status=status))
    assert isinstance(found, Refused)
    assert found.code == errors.REPORT_NOT_PENDING


@pytest.mark.parametrize("caller", [OWNER, AGENT], ids=["owner", "agent"])
def test_the_reports_own_store_may_add_evidence_while_pending(caller):
    assert reporting.evidence_refusal(caller, report()) is None


@pytest.mark.parametrize("caller", [OTHER_OWNER, BUYER, REVIEWER, ADMIN],
                         ids=["other-store-owner", "buyer", "reviewer", "admin"])
def test_no_one_but_the_reports_own_store_may_add_evidence(caller):
    assert isinstance(reporting.evidence_refusal(caller, report()), Forbidden)


@pytest.mark.parametrize("status", DECIDED)
def test_adding_evidence_to_a_decided_report_is_refused_with_report_not_pending(status):
    found = reporting.evidence_refusal(AGENT, report(status=status))
    assert isinstance(found, Refused)
    assert found.code == errors.REPORT_NOT_PENDING


def test_a_pending_report_has_no_pending_refusal():
    assert reporting.pending_refusal(report()) is None


@pytest.mark.parametrize("status", DECIDED)
def test_a_decided_report_has_a_pending_refusal_naming_its_status(status):
    found = reporting.pending_refusal(report(status=status))
    assert isinstance(found, Refused)
    assert found.code == errors.REPORT_NOT_PENDING
    assert status.value in found.detail


@pytest.mark.parametrize("caller", [OWNER, AGENT, REVIEWER], ids=["owner", "agent", "reviewer"])
def test_the_store_and_reviewers_may_read_a_report(caller):
    assert reporting.may_read(caller, report())


def test_a_reviewer_reads_every_stores_reports():
    assert reporting.may_read(REVIEWER, report(store_id=OTHER_STORE_ID))


@pytest.mark.parametrize("caller", [OTHER_OWNER, BUYER, ADMIN],
                         ids=["other-store-owner", "buyer", "admin"])
def test_no_one_else_reads_a_stores_report(caller):
    assert not reporting.may_read(caller, report())


# --- which orders a report may name -------------------------------------------------


def test_an_order_awaiting_shipment_may_be_named():
    assert reporting.order_refusal("A1", order()) is None


@pytest.mark.parametrize("o", [order(status=OrderStatus.SHIPPED, shipped_at=START),
                               order(status=OrderStatus.CLOSED),
                               order(kind=OrderKind.VIRTUAL)],
                         ids=["shipped", "closed", "virtual"])
def test_a_shipped_closed_or_virtual_order_is_refused_with_report_not_applicable(o):
    found = reporting.order_refusal("A1", o)
    assert isinstance(found, Refused)
    assert found.code == errors.REPORT_NOT_APPLICABLE == "report_not_applicable"
    assert found.field == "order_nos"
    assert "A1" in found.detail


def test_a_report_naming_what_another_covers_is_refused_with_report_not_applicable():
    found = reporting.already_covered("Order A1", "order_nos", 7, ReportStatus.PENDING_REVIEW)
    assert found.code == errors.REPORT_NOT_APPLICABLE
    assert found.field == "order_nos"
    assert "Order A1" in found.detail and "report 7" in found.detail
    assert "waiting for review" in found.detail


def test_the_already_covered_refusal_says_when_the_other_report_is_approved():
    found = reporting.already_covered("Tracking number SF1", "tracking_nos", 8,
                                      ReportStatus.APPROVED)
    assert found.field == "tracking_nos"
    assert "approved" in found.detail
    assert "waiting" not in found.detail


# --- when a review is due -----------------------------------------------------------


def test_review_is_due_forty_eight_hours_after_submission():
    assert reporting.review_due_at(SUBMITTED, POLICY) == SUBMITTED + timedelta(hours=48)


def test_the_review_window_follows_the_policy():
    assert (reporting.review_due_at(SUBMITTED, Policy(review_window=timedelta(hours=24)))
            == SUBMITTED + timedelta(hours=24))


def test_a_pending_report_at_47_59_59_is_not_overdue():
    assert not reporting.is_overdue(report(), SUBMITTED + timedelta(hours=48) - SECOND)


def test_a_pending_report_at_48_00_00_is_overdue():
    assert reporting.is_overdue(report(), SUBMITTED + timedelta(hours=48))


@pytest.mark.parametrize("status", DECIDED)
def test_a_decided_report_is_never_overdue(status):
    decided = report(status=status, reviewed_at=DUE + timedelta(hours=1))
    assert not reporting.is_overdue(decided, DUE + timedelta(days=30))


def test_a_pending_report_has_waited_until_now():
    assert reporting.waited(report(), SUBMITTED + timedelta(hours=5)) == timedelta(hours=5)


def test_a_decided_report_waited_until_its_decision_however_late_it_is_read():
    decided = report(status=ReportStatus.APPROVED,
                     reviewed_at=SUBMITTED + timedelta(hours=30))
    assert reporting.waited(decided, SUBMITTED + timedelta(days=9)) == timedelta(hours=30)


# --- deciding a report --------------------------------------------------------------

DECIDED_AT = SUBMITTED + timedelta(hours=3)


def review_fields(r: FakeReport) -> tuple[object, ...]:
    return (r.status, r.reviewed_at, r.reviewed_by, r.review_note)


def test_a_reviewer_approves_a_pending_report():
    r = report()
    decision = reporting.decide(REVIEWER, r, "approve", DECIDED_AT)
    assert decision == reporting.Decision(ReportStatus.APPROVED, None)
    assert review_fields(r) == (ReportStatus.APPROVED, DECIDED_AT, REVIEWER.account_id, None)


def test_a_reviewer_rejects_a_pending_report_with_a_trimmed_note():
    r = report()
    decision = reporting.decide(REVIEWER, r, "reject", DECIDED_AT, "  no evidence  ")
    assert decision == reporting.Decision(ReportStatus.REJECTED, "no evidence")
    assert review_fields(r) == (ReportStatus.REJECTED, DECIDED_AT, REVIEWER.account_id,
                                "no evidence")


@pytest.mark.parametrize("note", [None, "", "   ", "\n\t"],
                         ids=["none", "empty", "spaces", "whitespace"])
def test_a_rejection_without_a_note_is_invalid_on_note_and_changes_nothing(note):
    r = report()
    with pytest.raises(InvalidInput) as raised:
        reporting.decide(REVIEWER, r, "reject", DECIDED_AT, note)
    assert raised.value.field == "note"
    assert raised.value.code == "validation_error"
    assert review_fields(r) == (ReportStatus.PENDING_REVIEW, None, None, None)


@pytest.mark.parametrize("caller", [OWNER, AGENT], ids=["owner", "agent"])
def test_the_store_withdraws_its_pending_report(caller):
    r = report()
    decision = reporting.decide(caller, r, "withdraw", DECIDED_AT)
    assert decision.status is ReportStatus.WITHDRAWN
    assert (r.status, r.reviewed_at) == (ReportStatus.WITHDRAWN, DECIDED_AT)


@pytest.mark.parametrize("trigger", ["approve", "reject"])
@pytest.mark.parametrize("caller", NOT_REVIEWERS, ids=NOT_REVIEWER_IDS)
def test_anyone_but_a_reviewer_deciding_is_forbidden_and_changes_nothing(caller, trigger):
    r = report()
    with pytest.raises(Forbidden):
        reporting.decide(caller, r, trigger, DECIDED_AT, "a note")
    assert review_fields(r) == (ReportStatus.PENDING_REVIEW, None, None, None)


@pytest.mark.parametrize("caller", [REVIEWER, OTHER_OWNER, BUYER, ADMIN],
                         ids=["reviewer", "other-store-owner", "buyer", "admin"])
def test_anyone_but_the_store_withdrawing_is_forbidden_and_changes_nothing(caller):
    r = report()
    with pytest.raises(Forbidden):
        reporting.decide(caller, r, "withdraw", DECIDED_AT)
    assert review_fields(r) == (ReportStatus.PENDING_REVIEW, None, None, None)


@pytest.mark.parametrize(("first", "first_caller"),
                         [("approve", REVIEWER), ("reject", REVIEWER), ("withdraw", OWNER)])
@pytest.mark.parametrize(("second", "second_caller"),
                         [("approve", REVIEWER), ("reject", REVIEWER), ("withdraw", AGENT)])
def test_a_second_decision_is_refused_with_report_not_pending_and_changes_nothing(
        first, first_caller, second, second_caller):
    r = report()
    reporting.decide(first_caller, r, first, DECIDED_AT, "first note")
    before = review_fields(r)
    with pytest.raises(Refused) as raised:
        reporting.decide(second_caller, r, second, DECIDED_AT + timedelta(hours=1),
                         "second note")
    assert raised.value.code == errors.REPORT_NOT_PENDING
    assert review_fields(r) == before


def test_a_second_rejection_without_a_note_is_refused_as_not_pending_not_as_invalid():
    r = report()
    reporting.decide(REVIEWER, r, "approve", DECIDED_AT)
    with pytest.raises(Refused) as raised:
        reporting.decide(REVIEWER, r, "reject", DECIDED_AT + SECOND, "")
    assert raised.value.code == errors.REPORT_NOT_PENDING
    assert r.status is ReportStatus.APPROVED


# --- the report state machine -------------------------------------------------------

R = ReportStatus
REPORT_ALLOWED = {(row["trigger"], row["source"]): row["dest"] for row in REPORT_TRANSITIONS}
REPORT_TRIGGERS = ["approve", "reject", "withdraw"]


def test_the_report_table_is_the_one_rules_md_draws():
    assert REPORT_ALLOWED == {("approve", R.PENDING_REVIEW): R.APPROVED,
                              ("reject", R.PENDING_REVIEW): R.REJECTED,
                              ("withdraw", R.PENDING_REVIEW): R.WITHDRAWN}
    assert len(REPORT_TRANSITIONS) == 3


@pytest.mark.parametrize(("trigger", "dest"),
                         [("approve", R.APPROVED), ("reject", R.REJECTED),
                          ("withdraw", R.WITHDRAWN)])
def test_a_pending_report_moves_to_the_state_its_trigger_names(trigger, dest):
    r = report()
    fire(REPORT_MACHINE, r, trigger)
    assert r.status is dest


@pytest.mark.parametrize("state", DECIDED)
@pytest.mark.parametrize("trigger", REPORT_TRIGGERS)
def test_any_trigger_from_a_final_report_state_raises_and_leaves_it(trigger, state):
    r = report(status=state)
    with pytest.raises(TransitionRejected):
        fire(REPORT_MACHINE, r, trigger)
    assert r.status is state


def test_the_report_machine_has_no_backdoor_triggers():
    with pytest.raises(TransitionRejected):
        fire(REPORT_MACHINE, report(), "to_approved")


# --- an approved report's latest ship time moves the order's deadline ---------------


def test_an_approved_report_later_than_the_original_moves_the_deadline_to_it():
    o = order()
    latest = DEADLINE + timedelta(days=3)
    events = reporting.apply_latest_ship_at(o, None, latest, DECIDED_AT)
    assert (o.ship_by, o.ship_by_source, o.reported_ship_by) == (latest, S.DELAY_REPORT, latest)
    assert [(e.type, e.at, e.data) for e in events] == [
        ("order.deadline_changed", DECIDED_AT,
         {"from": iso_utc(DEADLINE), "to": iso_utc(latest), "source": "delay_report"})]


def test_a_later_second_report_moves_the_deadline_again():
    o = order()
    reporting.apply_latest_ship_at(o, None, DEADLINE + timedelta(days=3), DECIDED_AT)
    events = reporting.apply_latest_ship_at(o, None, DEADLINE + timedelta(days=5), DECIDED_AT)
    assert (o.ship_by, o.ship_by_source) == (DEADLINE + timedelta(days=5), S.DELAY_REPORT)
    assert [e.type for e in events] == ["order.deadline_changed"]


def test_an_earlier_second_report_keeps_the_later_time_and_emits_nothing():
    o = order()
    reporting.apply_latest_ship_at(o, None, DEADLINE + timedelta(days=5), DECIDED_AT)
    events = reporting.apply_latest_ship_at(o, None, DEADLINE + timedelta(days=2), DECIDED_AT)
    assert o.reported_ship_by == DEADLINE + timedelta(days=5)
    assert (o.ship_by, o.ship_by_source) == (DEADLINE + timedelta(days=5), S.DELAY_REPORT)
    assert events == []


def test_an_equal_second_report_emits_nothing():
    o = order()
    reporting.apply_latest_ship_at(o, None, DEADLINE + timedelta(days=5), DECIDED_AT)
    assert reporting.apply_latest_ship_at(o, None, DEADLINE + timedelta(days=5),
                                          DECIDED_AT) == []


def test_a_report_earlier_than_the_agreed_time_leaves_the_agreed_deadline_alone():
    agreed = DEADLINE + timedelta(days=10)
    o = order(ship_by=agreed, ship_by_source=S.AGREED_CARD)
    events = reporting.apply_latest_ship_at(o, agreed, DEADLINE + timedelta(days=3), DECIDED_AT)
    assert (o.ship_by, o.ship_by_source) == (agreed, S.AGREED_CARD)
    assert o.reported_ship_by == DEADLINE + timedelta(days=3)
    assert events == []


def test_a_report_at_the_agreed_time_leaves_the_agreed_card_as_the_source():
    agreed = DEADLINE + timedelta(days=10)
    o = order(ship_by=agreed, ship_by_source=S.AGREED_CARD)
    assert reporting.apply_latest_ship_at(o, agreed, agreed, DECIDED_AT) == []
    assert o.ship_by_source is S.AGREED_CARD


def test_a_report_later_than_the_agreed_time_takes_over_the_deadline():
    agreed = DEADLINE + timedelta(days=2)
    o = order(ship_by=agreed, ship_by_source=S.AGREED_CARD)
    latest = DEADLINE + timedelta(days=4)
    events = reporting.apply_latest_ship_at(o, agreed, latest, DECIDED_AT)
    assert (o.ship_by, o.ship_by_source) == (latest, S.DELAY_REPORT)
    assert events[0].data == {"from": iso_utc(agreed), "to": iso_utc(latest),
                              "source": "delay_report"}


def test_a_report_no_later_than_the_original_deadline_changes_nothing():
    o = order()
    assert reporting.apply_latest_ship_at(o, None, DEADLINE, DECIDED_AT) == []
    assert (o.ship_by, o.ship_by_source) == (DEADLINE, S.ORIGINAL)


# --- accepting a card on an order a report already moved ----------------------------


def order_with_pending_card(proposed: datetime):
    """A card sent while the deadline was the original; a report approved meanwhile."""
    o, n = order(), FakeNegotiation()
    pending = send(FakeStore(), o, n, START, proposed=proposed)
    reporting.apply_latest_ship_at(o, None, DEADLINE + timedelta(days=5), START)
    assert (o.ship_by, o.ship_by_source) == (DEADLINE + timedelta(days=5), S.DELAY_REPORT)
    return o, n, pending


def test_accepting_a_card_earlier_than_the_reported_time_keeps_the_report_deadline():
    o, n, pending = order_with_pending_card(DEADLINE + timedelta(days=2))
    events = rules.accept(BUYER, o, n, pending, START + timedelta(hours=1))
    assert n.state is NegotiationState.AGREED
    assert (o.ship_by, o.ship_by_source) == (DEADLINE + timedelta(days=5), S.DELAY_REPORT)
    assert "order.deadline_changed" not in [e.type for e in events]


def test_accepting_a_card_later_than_the_reported_time_makes_the_card_the_deadline():
    o, n, pending = order_with_pending_card(DEADLINE + timedelta(days=7))
    events = rules.accept(BUYER, o, n, pending, START + timedelta(hours=1))
    assert (o.ship_by, o.ship_by_source) == (DEADLINE + timedelta(days=7), S.AGREED_CARD)
    changed = [e.data for e in events if e.type == "order.deadline_changed"]
    assert changed == [{"from": iso_utc(DEADLINE + timedelta(days=5)),
                        "to": iso_utc(DEADLINE + timedelta(days=7)), "source": "agreed_card"}]


# --- resolving the effective ship deadline -----------------------------------------

ORIGINAL = DEADLINE


def test_with_no_other_candidate_the_original_deadline_stands():
    assert resolve_ship_by(ORIGINAL) == Deadline(ORIGINAL, S.ORIGINAL)


def test_a_later_agreed_time_wins():
    assert resolve_ship_by(ORIGINAL, agreed=ORIGINAL + SECOND) == Deadline(
        ORIGINAL + SECOND, S.AGREED_CARD)


def test_a_later_reported_time_wins():
    assert resolve_ship_by(ORIGINAL, reported=ORIGINAL + SECOND) == Deadline(
        ORIGINAL + SECOND, S.DELAY_REPORT)


def test_the_latest_of_agreed_and_reported_wins_whichever_it_is():
    day = timedelta(days=1)
    assert resolve_ship_by(ORIGINAL, ORIGINAL + 2 * day, ORIGINAL + day).source is S.AGREED_CARD
    assert resolve_ship_by(ORIGINAL, ORIGINAL + day, ORIGINAL + 2 * day).source is S.DELAY_REPORT


def test_earlier_candidates_never_pull_the_deadline_back():
    assert resolve_ship_by(ORIGINAL, ORIGINAL - SECOND, ORIGINAL - SECOND) == Deadline(
        ORIGINAL, S.ORIGINAL)


def test_a_tie_with_the_original_keeps_the_original():
    assert resolve_ship_by(ORIGINAL, ORIGINAL, ORIGINAL).source is S.ORIGINAL


def test_a_tie_between_agreed_and_reported_keeps_the_agreed_card():
    later = ORIGINAL + timedelta(days=1)
    assert resolve_ship_by(ORIGINAL, later, later) == Deadline(later, S.AGREED_CARD)


INSTANTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                        timezones=st.just(UTC))


@given(original=INSTANTS, agreed=st.none() | INSTANTS, reported=st.none() | INSTANTS)
def test_the_deadline_is_the_latest_candidate_named_by_the_first_to_reach_it(
        original, agreed, reported):
    candidates = [(at, source) for at, source in ((original, S.ORIGINAL),
                                                  (agreed, S.AGREED_CARD),
                                                  (reported, S.DELAY_REPORT))
                  if at is not None]
    latest = max(at for at, _ in candidates)
    first = next(source for at, source in candidates if at == latest)
    assert resolve_ship_by(original, agreed, reported) == Deadline(latest, first)


# --- the collection deadline --------------------------------------------------------

PAID = START
UPLOADED = START + timedelta(hours=30)


def test_normal_mode_collection_is_due_72_hours_after_payment():
    assert original_collect_by(ShipMode.NORMAL, PAID, UPLOADED, POLICY) == PAID + timedelta(
        hours=72)


@pytest.mark.parametrize("mode", [ShipMode.EXPRESS, ShipMode.TIERED])
def test_express_and_tiered_collection_is_due_24_hours_after_the_upload(mode):
    assert original_collect_by(mode, PAID, UPLOADED, POLICY) == UPLOADED + timedelta(hours=24)


def test_the_collection_windows_follow_the_policy():
    policy = replace(POLICY, collection_window=timedelta(hours=10),
                     collection_window_after_upload=timedelta(hours=2))
    assert original_collect_by(ShipMode.NORMAL, PAID, UPLOADED, policy) == PAID + timedelta(
        hours=10)
    assert original_collect_by(ShipMode.EXPRESS, PAID, UPLOADED, policy) == UPLOADED + timedelta(
        hours=2)


def test_without_a_report_the_original_collection_deadline_stands():
    assert resolve_collect_by(DEADLINE) == DEADLINE


def test_an_approved_collection_report_moves_the_collection_deadline_later():
    assert resolve_collect_by(DEADLINE, DEADLINE + SECOND) == DEADLINE + SECOND


@pytest.mark.parametrize("reported", [DEADLINE, DEADLINE - SECOND], ids=["equal", "earlier"])
def test_a_collection_report_never_pulls_the_deadline_earlier(reported):
    assert resolve_collect_by(DEADLINE, reported) == DEADLINE


# --- evidence files: told by their first bytes ------------------------------------


@pytest.mark.parametrize(("head", "kind"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"GIF87a\x01\x00\x01\x00", "image/gif"),
    (b"GIF89a\x01\x00\x01\x00", "image/gif"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "application/pdf"),
], ids=["jpeg", "png", "gif87a", "gif89a", "webp", "pdf"])
def test_a_known_evidence_format_is_recognised_from_its_first_bytes(head, kind):
    assert sniff(head) == kind


@pytest.mark.parametrize("head", [
    b"",
    b"this is a text file somebody named scan.pdf",
    b"%PDF",
    b" %PDF-1.7",
    b"GIF88a\x01\x00",
    b"\xff\xd8",
    b"\x89PNG\r\n",
    b"RIFF\x24\x00\x00\x00WAVEfmt ",
    b"RIFF\x24\x00\x00WEBP",
    b"PK\x03\x04\x14\x00",
    b"<svg xmlns='http://www.w3.org/2000/svg'>",
], ids=["empty", "text-named-pdf", "pdf-without-dash", "pdf-not-at-start", "gif88a",
        "short-jpeg", "short-png", "riff-wave", "webp-misplaced", "zip", "svg"])
def test_anything_else_is_not_recognised(head):
    assert sniff(head) is None


@pytest.mark.parametrize(("name", "safe"), [
    ("scan.pdf", "scan.pdf"),
    ("../../etc/passwd", "passwd"),
    ("/var/tmp/photo.png", "photo.png"),
    ("C:\\Users\\me\\receipt.jpg", "receipt.jpg"),
    ("a\x00b\nc\rd\x1b[31m.pdf", "a_b_c_d_[31m.pdf"),
    ("del\x7f.gif", "del_.gif"),
    ('what?<is>"this"|*:.pdf', "what__is__this____.pdf"),
    ("  .hidden.png. ", "hidden.png"),
], ids=["plain", "relative-path", "absolute-path", "windows-path", "controls", "delete",
        "reserved", "dots-and-spaces"])
def test_an_evidence_filename_loses_its_path_and_unsafe_characters(name, safe):
    assert safe_filename(name, "application/pdf") == safe


@pytest.mark.parametrize(("content_type", "default"), [
    ("image/jpeg", "evidence.jpg"), ("image/png", "evidence.png"),
    ("image/gif", "evidence.gif"), ("image/webp", "evidence.webp"),
    ("application/pdf", "evidence.pdf"), ("application/octet-stream", "evidence"),
])
@pytest.mark.parametrize("name", [None, "", "..", " . ", "uploads/", "C:\\"],
                         ids=["none", "empty", "dots", "dots-and-spaces", "folder", "drive"])
def test_a_filename_with_nothing_left_gets_a_default_name_by_type(name, content_type,
                                                                   default):
    assert safe_filename(name, content_type) == default


def test_a_long_filename_is_cut_to_the_limit():
    assert NAME_LIMIT == 200
    assert safe_filename("x" * 500 + ".pdf", "application/pdf") == "x" * 200


@given(st.text())
def test_no_filename_keeps_a_path_separator_or_a_control_or_format_character(name):
    safe = safe_filename(name, "image/png")
    assert safe
    assert len(safe) <= NAME_LIMIT
    assert not any(ch in "/\\" or unicodedata.category(ch).startswith("C") for ch in safe)


@pytest.mark.parametrize("control", ["\x85", "\x9b", "\u202e", "\u200b"],
                         ids=["c1-NEL", "c1-CSI", "bidi-override", "zero-width-space"])
def test_a_unicode_control_or_format_character_in_a_filename_is_replaced(control):
    assert safe_filename(f"scan{control}31m.pdf", "application/pdf") == "scan_31m.pdf"


def test_the_file_report_action_is_refused_once_a_shipment_report_covers_the_order():
    o = order()
    assert eligibility.delay_report_refusal(OWNER, o) is None
    refusal = eligibility.delay_report_refusal(AGENT, o, covered_by=7)
    assert isinstance(refusal, Refused) and refusal.code == errors.REPORT_NOT_APPLICABLE
    assert "7" in refusal.detail


def test_the_file_report_action_names_a_shipped_or_virtual_order_as_not_applicable():
    for o in (order(status=OrderStatus.SHIPPED), order(kind=OrderKind.VIRTUAL)):
        refusal = eligibility.delay_report_refusal(OWNER, o)
        assert isinstance(refusal, Refused) and refusal.code == errors.REPORT_NOT_APPLICABLE
    assert isinstance(eligibility.delay_report_refusal(BUYER, order(), covered_by=7), Forbidden)
