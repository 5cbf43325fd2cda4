"""RULES.md §4, the newer rules: exemptions, charges, the next assessment, the deadline
candidates and the automatic close, each at its boundary (no app, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation.domain import assessment as a
from negotiation.domain import negotiating as rules
from negotiation.domain.caller import SYSTEM
from negotiation.domain.deadlines import (
    Deadline,
    extended_ship_by,
    original_collect_by,
    original_ship_by,
    resolve_collect_by,
    resolve_ship_by,
)
from negotiation.domain.enums import (
    CardState,
    ExemptedBy,
    NegotiationState,
    OrderStatus,
    ShipBySource,
    ShipMode,
    ViolationKind,
)
from negotiation.domain.policy import Policy
from tests.unit.fakes import FakeNegotiation, card, order

POLICY = Policy()
H = timedelta(hours=1)
S = timedelta(seconds=1)
US = timedelta(microseconds=1)
PAID = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai
SHIP_BY = PAID + 48 * H
COLLECT_BY = PAID + 72 * H
CLOSE_AT = PAID + timedelta(days=150)
REGION = "Hubei"
BOTH = frozenset({ViolationKind.LATE_SHIPMENT, ViolationKind.COLLECTION_TIMEOUT})

LATE = a.Violation(a.LATE_SHIPMENT, SHIP_BY)
UNCOLLECTED = a.Violation(a.COLLECTION_TIMEOUT, COLLECT_BY)
ORIGINAL = Deadline(SHIP_BY, ShipBySource.ORIGINAL)


def window(starts_at: datetime, ends_at: datetime, kinds: frozenset[ViolationKind] = BOTH,
           region: str = REGION) -> a.RegionalExemption:
    return a.RegionalExemption(region, starts_at, ends_at, kinds)


# --- what an order has missed by now ----------------------------------------------------------


def test_nothing_is_due_before_the_first_deadline():
    assert a.due_violations(SHIP_BY, None, COLLECT_BY, None, SHIP_BY - US) == []


def test_an_unshipped_order_misses_its_ship_deadline_then_its_collection_deadline():
    assert a.due_violations(SHIP_BY, None, COLLECT_BY, None, SHIP_BY) == [LATE]
    assert a.due_violations(SHIP_BY, None, COLLECT_BY, None, COLLECT_BY) == [LATE, UNCOLLECTED]


def test_an_order_shipped_and_collected_in_time_has_missed_nothing_ever():
    assert a.due_violations(SHIP_BY, SHIP_BY - US, COLLECT_BY, COLLECT_BY - US, CLOSE_AT) == []


def test_a_late_shipment_is_due_at_the_deadline_whenever_it_is_seen():
    late = a.due_violations(SHIP_BY, SHIP_BY + H, COLLECT_BY, SHIP_BY + 2 * H, CLOSE_AT)
    assert late == [LATE]


def test_without_a_collection_deadline_only_the_ship_deadline_counts():
    assert a.due_violations(SHIP_BY, None, None, None, CLOSE_AT) == [LATE]


# --- regional exemptions: a half-open window on the due time ---------------------------------


def test_a_violation_due_exactly_when_the_window_starts_is_covered():
    assert window(SHIP_BY, SHIP_BY + H).covers(REGION, LATE)


def test_a_violation_due_exactly_when_the_window_ends_is_not_covered():
    assert not window(SHIP_BY - H, SHIP_BY).covers(REGION, LATE)
    assert window(SHIP_BY - H, SHIP_BY + US).covers(REGION, LATE)


def test_a_violation_due_a_moment_before_the_window_is_not_covered():
    assert not window(SHIP_BY + US, SHIP_BY + H).covers(REGION, LATE)


def test_another_region_or_no_region_is_not_covered():
    exempt = window(SHIP_BY - H, SHIP_BY + H)
    assert not exempt.covers("Zhejiang", LATE)
    assert not exempt.covers(None, LATE)


def test_a_kind_the_exemption_does_not_name_is_not_covered():
    only_shipment = window(PAID, PAID + timedelta(days=10),
                           frozenset({ViolationKind.LATE_SHIPMENT}))
    assert only_shipment.covers(REGION, LATE)
    assert not only_shipment.covers(REGION, UNCOLLECTED)


# --- what waives a violation ----------------------------------------------------------------


def test_a_regional_exemption_waives_first_even_when_the_deadline_also_moved():
    moved = Deadline(SHIP_BY + 24 * H, ShipBySource.AGREED_CARD)
    assert a.exemption(LATE, ship_by=moved, collect_by=None, region=REGION,
                       exemptions=[window(SHIP_BY, SHIP_BY + H)]) is ExemptedBy.REGIONAL_EXEMPTION


def test_a_regional_exemption_of_another_region_waives_nothing():
    assert a.exemption(LATE, ship_by=ORIGINAL, collect_by=COLLECT_BY, region="Zhejiang",
                       exemptions=[window(SHIP_BY, SHIP_BY + H)]) is None


def test_a_violation_nothing_covers_is_not_waived():
    assert a.exemption(LATE, ship_by=ORIGINAL, collect_by=COLLECT_BY, region=REGION) is None
    assert a.exemption(UNCOLLECTED, ship_by=ORIGINAL, collect_by=COLLECT_BY,
                       region=REGION) is None


def test_a_collection_timeout_is_waived_once_a_report_moved_its_deadline_past_it():
    assert a.exemption(UNCOLLECTED, ship_by=ORIGINAL, collect_by=COLLECT_BY + US,
                       region=None) is ExemptedBy.DELAY_REPORT


def test_a_collection_deadline_that_did_not_move_waives_nothing():
    assert a.exemption(UNCOLLECTED, ship_by=ORIGINAL, collect_by=COLLECT_BY,
                       region=None) is None


@pytest.mark.parametrize(("source", "waived_by"), [
    (ShipBySource.AGREED_CARD, ExemptedBy.AGREED_CARD),
    (ShipBySource.DELAY_REPORT, ExemptedBy.DELAY_REPORT),
    (ShipBySource.REGIONAL_EXTENSION, ExemptedBy.REGIONAL_EXEMPTION),
])
def test_a_late_shipment_is_waived_once_its_deadline_moved_past_it(source, waived_by):
    moved = Deadline(SHIP_BY + US, source)
    assert a.exemption(LATE, ship_by=moved, collect_by=None, region=None) is waived_by


@pytest.mark.parametrize("source", list(ShipBySource))
def test_a_late_shipment_whose_deadline_still_stands_is_not_waived(source):
    """Judged against the deadline that won: shipping after an agreed time is late."""
    assert a.exemption(LATE, ship_by=Deadline(SHIP_BY, source), collect_by=None,
                       region=None) is None


def test_an_original_deadline_later_than_the_due_time_waives_nothing():
    later = Deadline(SHIP_BY + H, ShipBySource.ORIGINAL)
    assert a.exemption(LATE, ship_by=later, collect_by=None, region=None) is None


@pytest.mark.parametrize(("source", "waived_by"), [
    (ShipBySource.AGREED_CARD, ExemptedBy.AGREED_CARD),
    (ShipBySource.DELAY_REPORT, ExemptedBy.DELAY_REPORT),
    (ShipBySource.REGIONAL_EXTENSION, ExemptedBy.REGIONAL_EXEMPTION),
])
def test_a_collection_timeout_is_waived_when_the_seller_may_still_ship_after_it(source,
                                                                                waived_by):
    may_ship_later = Deadline(COLLECT_BY + US, source)
    assert a.exemption(UNCOLLECTED, ship_by=may_ship_later, collect_by=COLLECT_BY,
                       region=None) is waived_by


def test_a_collection_timeout_is_not_waived_by_an_agreed_time_that_fell_before_it():
    agreed = Deadline(COLLECT_BY, ShipBySource.AGREED_CARD)
    assert a.exemption(UNCOLLECTED, ship_by=agreed, collect_by=COLLECT_BY, region=None) is None


def test_a_collection_timeout_is_not_waived_by_a_long_original_ship_deadline():
    """An order born with a ship deadline past its 72 h collection deadline: only a card,
    a report or an extension waives the collection timeout, not the original deadline."""
    long_original = Deadline(COLLECT_BY + 24 * H, ShipBySource.ORIGINAL)
    assert a.exemption(UNCOLLECTED, ship_by=long_original, collect_by=COLLECT_BY,
                       region=None) is None


# --- the charge of one violation ----------------------------------------------------------


def charge(violation: a.Violation = LATE, *, deductions: int = 0, today: str = "0",
           amount: str = "200.00", compensable: bool = True,
           policy: Policy = POLICY) -> a.Charge:
    return a.charge(violation, order_deductions=deductions, store_deducted_today=Decimal(today),
                    amount=Decimal(amount), compensable=compensable, policy=policy)


def test_a_first_late_shipment_deducts_scores_and_compensates():
    assert charge() == a.Charge(Decimal("10"), Decimal("0.1"), Decimal("10.00"))


def test_a_third_violation_of_an_order_still_carries_its_points():
    cost = charge(deductions=2)
    assert cost.deduction == Decimal("0")
    assert cost.points == Decimal("0.1")
    assert cost.compensation == Decimal("10.00")


def test_a_violation_past_the_store_daily_cap_still_carries_its_points():
    cost = charge(today="500")
    assert (cost.deduction, cost.points) == (Decimal("0"), Decimal("0.1"))


def test_a_violation_near_the_cap_deducts_only_what_is_left():
    assert charge(today="495").deduction == Decimal("5")


def test_a_collection_timeout_never_compensates_the_buyer():
    cost = charge(UNCOLLECTED, compensable=True)
    assert cost == a.Charge(Decimal("10"), Decimal("0.1"), Decimal("0"))


def test_a_late_shipment_covered_by_a_card_or_report_does_not_compensate():
    assert charge(compensable=False).compensation == Decimal("0")


def test_the_charge_follows_the_policy():
    policy = Policy.from_mapping({"deposit_deduction": "20", "points_per_violation": "0.5",
                                  "compensation_rate": "0.1"})
    assert charge(policy=policy) == a.Charge(Decimal("20"), Decimal("0.5"), Decimal("20.00"))


@pytest.mark.parametrize(("source", "agreed", "reported", "compensable"), [
    (ShipBySource.ORIGINAL, False, False, True),
    (ShipBySource.REGIONAL_EXTENSION, False, False, True),
    (ShipBySource.AGREED_CARD, False, False, False),
    (ShipBySource.DELAY_REPORT, False, False, False),
    (ShipBySource.ORIGINAL, True, False, False),  # agreed to no later time: a tie
    (ShipBySource.ORIGINAL, False, True, False),  # a report whose time changed nothing
    (ShipBySource.REGIONAL_EXTENSION, True, True, False),
])
def test_only_an_order_no_card_or_report_covers_is_compensable(source, agreed, reported,
                                                                compensable):
    assert a.is_compensable(source, agreed, reported) is compensable


# --- the day a deduction applies: the Shanghai day after -----------------------------------


def test_a_violation_before_16_00_utc_applies_on_the_next_shanghai_day():
    assert a.applies_on(datetime(2026, 11, 22, 15, 59, 59, 999999, tzinfo=UTC),
                        POLICY) == date(2026, 11, 23)


def test_a_violation_at_16_00_utc_is_already_the_next_shanghai_day():
    assert a.applies_on(datetime(2026, 11, 22, 16, 0, tzinfo=UTC), POLICY) == date(2026, 11, 24)


def test_the_day_a_deduction_applies_follows_the_business_zone():
    utc_days = Policy.from_mapping({"business_zone": "UTC"})
    evening = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert a.applies_on(evening, utc_days) == date(2026, 11, 23)
    assert a.applies_on(evening + 8 * H - US, utc_days) == date(2026, 11, 23)


# --- when to look at an order again -------------------------------------------------------


def next_assessment(now: datetime, *, closed: bool = False, ship_by: datetime = SHIP_BY,
                    shipped_at: datetime | None = None,
                    collect_by: datetime | None = COLLECT_BY,
                    collected_at: datetime | None = None) -> datetime | None:
    return a.next_assessment(closed=closed, ship_by=ship_by, shipped_at=shipped_at,
                             collect_by=collect_by, collected_at=collected_at, paid_at=PAID,
                             now=now, policy=POLICY)


def test_a_closed_order_is_never_assessed_again():
    assert next_assessment(PAID, closed=True) is None


def test_an_unshipped_order_is_next_due_at_its_earliest_deadline():
    assert next_assessment(PAID) == SHIP_BY
    assert next_assessment(SHIP_BY - US) == SHIP_BY


def test_only_instants_after_now_count():
    assert next_assessment(SHIP_BY) == COLLECT_BY  # just assessed at the ship deadline
    assert next_assessment(COLLECT_BY) == CLOSE_AT
    assert next_assessment(CLOSE_AT - US) == CLOSE_AT
    assert next_assessment(CLOSE_AT) is None


def test_a_collected_order_has_no_collection_deadline_to_wait_for():
    shipped = PAID + 10 * H
    assert next_assessment(shipped, shipped_at=shipped, collected_at=shipped + H) is None


def test_a_shipped_order_waits_for_neither_its_ship_deadline_nor_the_automatic_close():
    shipped = PAID + 10 * H
    assert next_assessment(shipped, shipped_at=shipped) == COLLECT_BY
    assert next_assessment(COLLECT_BY, shipped_at=shipped) is None


def test_an_order_without_a_collection_deadline_yet_waits_for_its_ship_deadline_and_close():
    assert next_assessment(PAID, collect_by=None) == SHIP_BY
    assert next_assessment(SHIP_BY, collect_by=None) == CLOSE_AT


def test_a_collection_deadline_before_the_ship_deadline_comes_first():
    express_collect_by = PAID + 30 * H
    assert next_assessment(PAID, collect_by=express_collect_by) == express_collect_by


# --- the deadline candidates ---------------------------------------------------------------


def test_handling_in_working_days_counts_shanghai_working_days():
    # Paid Friday 10:00 Shanghai: 1 working day ends Monday, 2 end Tuesday (seed 003).
    assert original_ship_by(PAID, None, POLICY, handling_working_days=1) == datetime(
        2026, 11, 23, 16, 0, tzinfo=UTC)
    assert original_ship_by(PAID, None, POLICY, handling_working_days=2) == datetime(
        2026, 11, 24, 16, 0, tzinfo=UTC)


def test_working_days_win_over_hours_and_a_given_deadline_wins_over_both():
    assert original_ship_by(PAID, None, POLICY, handling_hours=24,
                            handling_working_days=1) == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    given_at = PAID + 5 * H
    assert original_ship_by(PAID, given_at, POLICY, handling_hours=24,
                            handling_working_days=1) == given_at


def test_handling_in_hours_counts_elapsed_hours_through_the_weekend():
    assert original_ship_by(PAID, None, POLICY, handling_hours=24) == PAID + 24 * H
    assert original_ship_by(PAID, None, POLICY) == PAID + POLICY.handling_time == PAID + 48 * H


def test_the_latest_candidate_wins_and_names_its_rule():
    assert resolve_ship_by(SHIP_BY) == ORIGINAL
    assert resolve_ship_by(SHIP_BY, extended=SHIP_BY + H) == Deadline(
        SHIP_BY + H, ShipBySource.REGIONAL_EXTENSION)
    assert resolve_ship_by(SHIP_BY, agreed=SHIP_BY + 3 * H, reported=SHIP_BY + 2 * H,
                           extended=SHIP_BY + H) == Deadline(SHIP_BY + 3 * H,
                                                            ShipBySource.AGREED_CARD)
    assert resolve_ship_by(SHIP_BY, agreed=SHIP_BY + H, reported=SHIP_BY + 2 * H,
                           extended=SHIP_BY + 3 * H) == Deadline(
        SHIP_BY + 3 * H, ShipBySource.REGIONAL_EXTENSION)


def test_an_earlier_candidate_never_moves_the_deadline_back():
    assert resolve_ship_by(SHIP_BY, agreed=SHIP_BY - H, reported=SHIP_BY - H,
                           extended=SHIP_BY - H) == ORIGINAL


@pytest.mark.parametrize(("candidates", "source"), [
    ({"extended": SHIP_BY}, ShipBySource.ORIGINAL),
    ({"agreed": SHIP_BY + H, "extended": SHIP_BY + H}, ShipBySource.AGREED_CARD),
    ({"reported": SHIP_BY + H, "extended": SHIP_BY + H}, ShipBySource.DELAY_REPORT),
    ({"agreed": SHIP_BY + H, "reported": SHIP_BY + H}, ShipBySource.AGREED_CARD),
])
def test_a_tie_goes_to_the_earlier_candidate(candidates, source):
    assert resolve_ship_by(SHIP_BY, **candidates).source is source


def test_a_regional_extension_adds_to_the_original_deadline():
    assert extended_ship_by(SHIP_BY, timedelta(days=14)) == SHIP_BY + timedelta(days=14)
    assert extended_ship_by(SHIP_BY, None) is None


@pytest.mark.parametrize("mode", [ShipMode.EXPRESS, ShipMode.TIERED])
def test_express_and_tiered_orders_have_no_collection_deadline_before_the_upload(mode):
    assert original_collect_by(mode, PAID, None, POLICY) is None
    assert resolve_collect_by(None, reported=PAID + 100 * H) is None


def test_a_normal_mode_collection_deadline_counts_from_payment_upload_or_not():
    assert original_collect_by(ShipMode.NORMAL, PAID, None, POLICY) == COLLECT_BY
    assert original_collect_by(ShipMode.NORMAL, PAID, PAID + 60 * H, POLICY) == COLLECT_BY


def test_a_collection_report_only_ever_moves_the_deadline_later():
    assert resolve_collect_by(COLLECT_BY) == COLLECT_BY
    assert resolve_collect_by(COLLECT_BY, reported=COLLECT_BY + H) == COLLECT_BY + H
    assert resolve_collect_by(COLLECT_BY, reported=COLLECT_BY - H) == COLLECT_BY


# --- the automatic close -------------------------------------------------------------------


def test_closing_an_order_voids_its_pending_card_and_closes_the_negotiation():
    o = order()
    pending = card()
    n = FakeNegotiation(NegotiationState.AWAITING_BUYER, [pending])
    events = rules.close_unshipped(o, n, CLOSE_AT)
    assert pending.state is CardState.VOIDED
    assert n.state is NegotiationState.CLOSED
    assert o.status is OrderStatus.CLOSED
    assert [(e.type, e.at, e.actor) for e in events] == [
        ("card.voided", CLOSE_AT, SYSTEM), ("negotiation.closed", CLOSE_AT, SYSTEM),
        ("order.closed", CLOSE_AT, SYSTEM)]
    assert events[0].data["card_id"] == pending.id
    assert events[1].data == {"reason": "order_closed"}
    assert events[2].data == {"reason": "not_shipped_in_time"}


def test_closing_an_order_with_an_open_negotiation_closes_it_without_a_card_event():
    o, n = order(), FakeNegotiation(NegotiationState.OPEN)
    events = rules.close_unshipped(o, n, CLOSE_AT)
    assert n.state is NegotiationState.CLOSED and o.status is OrderStatus.CLOSED
    assert [e.type for e in events] == ["negotiation.closed", "order.closed"]


@pytest.mark.parametrize("final", [NegotiationState.FAILED, NegotiationState.AGREED])
def test_closing_an_order_leaves_a_finished_negotiation_as_it_was(final):
    decided = card(state=CardState.ACCEPTED if final is NegotiationState.AGREED
                   else CardState.EXPIRED)
    o, n = order(), FakeNegotiation(final, [decided])
    events = rules.close_unshipped(o, n, CLOSE_AT)
    assert n.state is final and decided.state is not CardState.VOIDED
    assert o.status is OrderStatus.CLOSED
    assert [e.type for e in events] == ["order.closed"]


# --- properties ----------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=2000, places=2, allow_nan=False,
                    allow_infinity=False)
policies = st.builds(
    lambda deduct, cap, per_order: Policy(deposit_deduction=deduct, daily_deduction_cap=cap,
                                          max_deductions_per_order=per_order),
    st.decimals(min_value=Decimal("0.01"), max_value=100, places=2),
    st.decimals(min_value=0, max_value=500, places=2),
    st.integers(min_value=0, max_value=4))


@given(policy=policies, order_deductions=st.integers(min_value=0, max_value=6), today=money)
def test_a_deduction_is_never_negative_nor_more_than_the_room_under_the_cap(
        policy, order_deductions, today):
    taken = a.deduction(order_deductions, today, policy)
    assert Decimal("0") <= taken <= policy.deposit_deduction
    assert taken <= max(Decimal("0"), policy.daily_deduction_cap - today)
    if order_deductions >= policy.max_deductions_per_order:
        assert taken == 0


@settings(max_examples=200)
@given(policy=policies,
       run=st.lists(st.tuples(st.integers(min_value=0, max_value=5),
                              st.sampled_from(list(ViolationKind))), max_size=80))
def test_a_run_of_violations_never_deducts_more_than_the_order_and_day_caps(policy, run):
    """Charged one after another as the sweep does, over one store's business day."""
    today = Decimal("0")
    taken: dict[int, list[Decimal]] = {}
    points = Decimal("0")
    for order_id, kind in run:
        mine = taken.setdefault(order_id, [])
        cost = a.charge(a.Violation(kind, SHIP_BY),
                        order_deductions=sum(1 for d in mine if d > 0),
                        store_deducted_today=today, amount=Decimal("100"), compensable=True,
                        policy=policy)
        mine.append(cost.deduction)
        today += cost.deduction
        points += cost.points
    assert today <= policy.daily_deduction_cap
    for deductions in taken.values():
        assert sum(1 for d in deductions if d > 0) <= policy.max_deductions_per_order
        assert sum(deductions) <= policy.max_deductions_per_order * policy.deposit_deduction
    assert points == len(run) * policy.points_per_violation


@given(due_offset=st.integers(min_value=-10_000, max_value=10_000),
       length=st.integers(min_value=1, max_value=10_000))
def test_a_regional_window_covers_exactly_the_due_times_inside_it(due_offset, length):
    exempt = window(SHIP_BY, SHIP_BY + length * S)
    due = SHIP_BY + due_offset * S
    assert exempt.covers(REGION, a.Violation(a.LATE_SHIPMENT, due)) is (
        0 <= due_offset < length)


def test_a_collection_timeout_after_shipping_in_time_is_not_waived_by_a_later_deadline():
    # Shipped before the collection deadline: the parcel was the carrier's to collect,
    # whatever the agreed ship-by says; shipped at the deadline, it was not yet due out.
    due = datetime(2026, 11, 23, tzinfo=UTC)
    missed = a.Violation(a.COLLECTION_TIMEOUT, due)
    agreed = Deadline(due + timedelta(days=2), ShipBySource.AGREED_CARD)
    assert a.exemption(missed, ship_by=agreed, collect_by=due, region=None,
                       shipped_at=due - timedelta(seconds=1)) is None
    assert a.exemption(missed, ship_by=agreed, collect_by=due, region=None,
                       shipped_at=due) is ExemptedBy.AGREED_CARD
