"""RULES.md §4: what a missed deadline costs, every number at its boundary (no app, no DB)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from negotiation.domain import assessment as a
from negotiation.domain import workdays
from negotiation.domain.deadlines import original_collect_by
from negotiation.domain.enums import ShipMode
from negotiation.domain.policy import Policy

POLICY = Policy()
H = timedelta(hours=1)
S = timedelta(seconds=1)
PAID = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai


# --- collection timeouts: 71 h vs 73 h ---------------------------------------------------


def test_a_normal_mode_scan_71_hours_after_payment_is_in_time():
    due = original_collect_by(ShipMode.NORMAL, PAID, PAID, POLICY)
    assert a.collection_timeout(due, PAID + 71 * H, PAID + 80 * H) is None


def test_a_normal_mode_scan_73_hours_after_payment_is_a_collection_timeout_due_at_72():
    due = original_collect_by(ShipMode.NORMAL, PAID, PAID, POLICY)
    assert a.collection_timeout(due, PAID + 73 * H, PAID + 80 * H) == a.Violation(
        a.COLLECTION_TIMEOUT, PAID + 72 * H)


def test_a_scan_exactly_at_the_deadline_is_late_and_one_second_before_is_not():
    due = PAID + 72 * H
    assert a.collection_timeout(due, due - S, due) is None
    assert a.collection_timeout(due, due, due) is not None


def test_with_no_scan_the_timeout_is_seen_as_soon_as_it_is_due():
    due = PAID + 72 * H
    assert a.collection_timeout(due, None, due - S) is None
    assert a.collection_timeout(due, None, due) == a.Violation(a.COLLECTION_TIMEOUT, due)


@pytest.mark.parametrize("mode", [ShipMode.EXPRESS, ShipMode.TIERED])
def test_express_and_tiered_scans_are_due_24_hours_after_the_tracking_number(mode):
    uploaded = PAID + 30 * H
    due = original_collect_by(mode, PAID, uploaded, POLICY)
    assert due == uploaded + 24 * H
    assert a.collection_timeout(due, uploaded + 23 * H, due) is None
    assert a.collection_timeout(due, uploaded + 25 * H, due) is not None


def test_without_a_known_collection_deadline_there_is_no_timeout():
    assert a.collection_timeout(None, None, PAID + 1000 * H) is None


def test_a_recorded_timeout_is_disproved_by_a_scan_taken_one_second_before_it_not_at_it():
    timeout = a.Violation(a.COLLECTION_TIMEOUT, PAID + 72 * H)
    assert a.disproved(timeout, shipped_at=PAID, collected_at=timeout.due_at - S)
    assert not a.disproved(timeout, shipped_at=PAID, collected_at=timeout.due_at)
    assert not a.disproved(timeout, shipped_at=PAID, collected_at=None)


def test_a_late_shipment_is_judged_by_shipping_and_a_timeout_by_collection():
    late = a.Violation(a.LATE_SHIPMENT, PAID + 48 * H)
    assert a.disproved(late, shipped_at=late.due_at - S, collected_at=None)
    assert not a.disproved(late, shipped_at=late.due_at, collected_at=late.due_at - S)
    assert not a.disproved(late, shipped_at=None, collected_at=late.due_at - S)


# --- late shipment -------------------------------------------------------------------------


def test_shipping_one_second_before_the_deadline_is_in_time_and_at_it_is_late():
    ship_by = PAID + 48 * H
    assert a.late_shipment(ship_by, ship_by - S, ship_by + H) is None
    assert a.late_shipment(ship_by, ship_by, ship_by + H) == a.Violation(a.LATE_SHIPMENT, ship_by)


def test_an_unshipped_order_is_late_from_the_deadline_on():
    ship_by = PAID + 48 * H
    assert a.late_shipment(ship_by, None, ship_by - S) is None
    assert a.late_shipment(ship_by, None, ship_by) == a.Violation(a.LATE_SHIPMENT, ship_by)


# --- deductions: 2nd vs 3rd on one order, 50th vs 51st of a day ------------------------------


def test_the_second_deduction_of_an_order_is_taken_and_the_third_is_not():
    assert a.deduction(1, Decimal("0"), POLICY) == Decimal("10")
    assert a.deduction(2, Decimal("0"), POLICY) == Decimal("0")


def test_the_50th_order_of_a_day_is_deducted_and_the_51st_is_not():
    fiftieth = a.deduction(0, Decimal("490"), POLICY)  # 49 orders deducted so far
    assert fiftieth == Decimal("10")
    assert a.deduction(0, Decimal("490") + fiftieth, POLICY) == Decimal("0")


def test_a_deduction_never_exceeds_what_the_daily_cap_leaves():
    assert a.deduction(0, Decimal("495"), POLICY) == Decimal("5")
    assert a.deduction(0, Decimal("600"), POLICY) == Decimal("0")


def test_the_amounts_and_caps_follow_the_policy():
    policy = Policy.from_mapping({"deposit_deduction": "20", "daily_deduction_cap": 30,
                                  "max_deductions_per_order": 1})
    assert a.deduction(0, Decimal("0"), policy) == Decimal("20")
    assert a.deduction(0, Decimal("20"), policy) == Decimal("10")
    assert a.deduction(1, Decimal("0"), policy) == Decimal("0")


# --- calendar days in Asia/Shanghai -----------------------------------------------------------


def test_a_shanghai_day_ends_at_16_00_utc():
    assert workdays.business_day(datetime(2026, 11, 22, 15, 59, 59, tzinfo=UTC), POLICY) == date(
        2026, 11, 22)
    assert workdays.business_day(datetime(2026, 11, 22, 16, 0, 0, tzinfo=UTC), POLICY) == date(
        2026, 11, 23)


def test_handling_in_one_working_day_skips_the_weekend():
    # Paid Friday 10:00 Shanghai: ship by the end of Monday, Shanghai (Monday 16:00 UTC).
    assert workdays.after_working_days(PAID, 1, POLICY) == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


def test_handling_in_two_working_days_from_a_saturday_ends_on_tuesday():
    saturday = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    assert workdays.after_working_days(saturday, 2, POLICY) == datetime(2026, 11, 24, 16, 0,
                                                                 tzinfo=UTC)


def test_a_payment_late_on_friday_utc_counts_from_the_shanghai_saturday():
    friday_night_utc = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # Saturday 01:00 Shanghai
    assert workdays.after_working_days(friday_night_utc, 1, POLICY) == datetime(
        2026, 11, 23, 16, 0, tzinfo=UTC)


def test_a_configured_holiday_is_skipped_like_a_weekend():
    policy = Policy.from_mapping({"holidays": ["2026-11-23"]})
    assert workdays.after_working_days(PAID, 1, policy) == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert not workdays.is_working_day(date(2026, 11, 23), policy)
    assert workdays.is_working_day(date(2026, 11, 23), POLICY)


# --- bans, automatic close, compensation -------------------------------------------------------


def test_two_ship_timeouts_keep_the_product_and_the_third_bans_it():
    assert not a.bans_product(2, POLICY)
    assert a.bans_product(3, POLICY)


def test_an_order_closes_150_days_after_payment_unless_shipped_or_refunded():
    day_150 = PAID + timedelta(days=150)
    assert not a.is_due_to_close(PAID, False, False, day_150 - S, POLICY)
    assert a.is_due_to_close(PAID, False, False, day_150, POLICY)
    assert not a.is_due_to_close(PAID, True, False, day_150, POLICY)
    assert not a.is_due_to_close(PAID, False, True, day_150, POLICY)


@pytest.mark.parametrize(("amount", "owed"), [
    ("50.00", "5.00"),      # 2.50 is below the floor of 5
    ("100.00", "5.00"),     # exactly 5%
    ("100.10", "5.01"),     # 5.005 rounds half up
    ("200.00", "10.00"),
    ("600.00", "30.00"),    # exactly the ceiling
    ("600.20", "30.00"),    # 30.01 is over it
])
def test_compensation_is_five_percent_within_5_and_30(amount, owed):
    result = a.compensation(Decimal(amount), POLICY)
    assert result == Decimal(owed)
    assert isinstance(result, Decimal)
