"""The display helpers: Shanghai wall time in and out, countdowns, and full label tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from negotiation.domain import errors
from negotiation.domain.enums import (
    CardReason,
    CardState,
    NegotiationState,
    OrderKind,
    OrderStatus,
    Role,
    ShipBySource,
    ShipMode,
)
from negotiation.web import labels, timefmt

NOON_UTC = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.mark.parametrize("typed", ["2026-11-22T12:00", "2026-11-22T12:00:00",
                                   "2026-11-22 12:00", " 2026-11-22 12:00:00 "])
def test_a_typed_time_is_read_as_shanghai_wall_time(typed):
    parsed = timefmt.parse_local(typed)
    assert parsed == NOON_UTC and parsed.tzinfo is UTC


@pytest.mark.parametrize("typed", ["", "tomorrow", "2026-11-22", "2026-13-01T00:00",
                                   "2026-11-22T12:00+08:00"])
def test_anything_else_is_refused_with_a_bilingual_message(typed):
    with pytest.raises(ValueError, match="Enter a valid date and time"):
        timefmt.parse_local(typed)


def test_a_shown_time_names_its_zone_and_round_trips_through_the_input():
    assert timefmt.local(NOON_UTC) == "2026-11-22 12:00 Asia/Shanghai"
    assert timefmt.local(None) == "—"
    assert timefmt.parse_local(timefmt.as_input(NOON_UTC)) == NOON_UTC


@pytest.mark.parametrize(("left", "shown"), [
    (timedelta(hours=24), "还剩 24 小时 0 分 remaining"),
    (timedelta(hours=23, minutes=59, seconds=59), "还剩 23 小时 59 分 remaining"),
    (timedelta(seconds=61), "还剩 0 小时 1 分 remaining"),
    (timedelta(seconds=59), "不到 1 分钟 less than a minute remaining"),
    (timedelta(0), "已到期 expired"),
    (timedelta(seconds=-5), "已到期 expired"),
])
def test_the_countdown_rounds_down_to_whole_minutes(left, shown):
    assert timefmt.remaining(NOON_UTC + left, NOON_UTC) == shown


def test_instants_inside_a_rules_message_are_shown_in_shanghai_time():
    detail = "must be after the current ship deadline 2026-11-23T23:00:00+00:00."
    assert timefmt.localize_text(detail) == (
        "must be after the current ship deadline 2026-11-24 07:00 Asia/Shanghai.")
    assert timefmt.localize_text("no time here") == "no time here"


@pytest.mark.parametrize(("table", "enum"), [
    ("order_status", OrderStatus), ("order_kind", OrderKind), ("ship_mode", ShipMode),
    ("ship_by_source", ShipBySource), ("negotiation_state", NegotiationState),
    ("card_state", CardState), ("card_reason", CardReason), ("role", Role),
])
def test_every_value_of_the_contract_has_a_bilingual_label(table, enum):
    for member in enum:
        shown = labels.label(member, table)
        assert shown != member.value and any("\u4e00" <= ch <= "\u9fff" for ch in shown)


def test_every_refusal_code_has_a_label():
    codes = [value for name, value in vars(errors).items()
             if name.isupper() and isinstance(value, str)]
    assert codes and all(code in labels.REFUSAL for code in codes)


def test_an_unknown_value_is_shown_as_itself():
    assert labels.label("something.new", "event_type") == "something.new"
