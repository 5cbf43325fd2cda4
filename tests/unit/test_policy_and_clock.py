"""The configurable numbers (Policy), the clock, and the abuse rule of RULES.md §2.4."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from negotiation.clock import FrozenClock, SystemClock
from negotiation.domain.eligibility import is_abusive
from negotiation.domain.enums import CardState
from negotiation.domain.policy import Policy

A, R, E = CardState.ACCEPTED, CardState.REJECTED, CardState.EXPIRED


# --- abuse (§2.4) -------------------------------------------------------------------------


def test_20_decided_cards_with_16_rejected_or_expired_flag_the_store():
    assert is_abusive([R] * 8 + [E] * 8 + [A] * 4, Policy()) is True


def test_20_decided_cards_with_15_rejected_or_expired_do_not_flag_the_store():
    assert is_abusive([R] * 10 + [E] * 5 + [A] * 5, Policy()) is False


def test_19_decided_cards_never_flag_the_store_however_bad():
    assert is_abusive([R] * 19, Policy()) is False


def test_only_the_latest_20_decided_cards_count():
    latest_good = [A] * 5 + [R] * 15
    assert is_abusive(latest_good + [R] * 10, Policy()) is False
    assert is_abusive([R] * 16 + [A] * 4 + [A] * 10, Policy()) is True


def test_the_abuse_sample_and_ratio_are_configurable():
    policy = Policy(abuse_sample=4, abuse_ratio=0.5)
    assert is_abusive([R, A, E, A], policy) is True
    assert is_abusive([R, A, A, A], policy) is False


# --- Policy.from_mapping ------------------------------------------------------------------


def test_an_empty_mapping_gives_the_defaults_of_rules_md():
    policy = Policy.from_mapping(None)
    assert policy == Policy.from_mapping({}) == Policy()
    assert policy.max_cards == 3
    assert policy.answer_window == timedelta(hours=24)
    assert policy.proposal_horizon == timedelta(days=30)
    assert policy.proposal_lead == timedelta(0)
    assert policy.handling_time == timedelta(hours=48)
    assert (policy.abuse_sample, policy.abuse_ratio) == (20, 0.8)


def test_durations_are_read_from_hours_and_days_keys():
    policy = Policy.from_mapping({"answer_window_hours": 12, "proposal_horizon_days": 7,
                                  "proposal_lead_hours": 4, "max_cards": 5})
    assert policy.answer_window == timedelta(hours=12)
    assert policy.proposal_horizon == timedelta(days=7)
    assert policy.proposal_lead == timedelta(hours=4)
    assert policy.max_cards == 5
    assert policy.handling_time == timedelta(hours=48)


def test_a_duration_may_be_given_directly():
    assert Policy.from_mapping({"answer_window": timedelta(minutes=90)}).answer_window == (
        timedelta(minutes=90))


@pytest.mark.parametrize("key", ["max_card", "answer_window_minutes", "cards_hours", "lead"])
def test_an_unknown_policy_key_is_refused(key):
    with pytest.raises(ValueError, match="unknown policy setting"):
        Policy.from_mapping({key: 1})


# --- the clock ------------------------------------------------------------------------------


def test_a_frozen_clock_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(datetime(2026, 11, 22, 8, 0))


def test_setting_a_frozen_clock_to_a_naive_datetime_is_refused_and_keeps_the_time():
    at = datetime(2026, 11, 22, tzinfo=UTC)
    clock = FrozenClock(at)
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 11, 23))
    assert clock.now() == at


def test_a_frozen_clock_answers_in_utc_whatever_offset_it_is_given():
    shanghai = timezone(timedelta(hours=8))
    clock = FrozenClock(datetime(2026, 11, 22, 8, 0, tzinfo=shanghai))
    assert clock.now() == datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
    assert clock.now().utcoffset() == timedelta(0)


def test_a_frozen_clock_moves_only_when_told():
    clock = FrozenClock(datetime(2026, 11, 22, tzinfo=UTC))
    assert clock.now() == clock.now()
    assert clock.advance(timedelta(hours=24)) == datetime(2026, 11, 23, tzinfo=UTC)
    assert clock.now() == datetime(2026, 11, 23, tzinfo=UTC)
    clock.set(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)


def test_the_system_clock_is_timezone_aware_utc():
    assert SystemClock().now().utcoffset() == timedelta(0)
