"""The display helpers: Shanghai wall time in and out, countdowns, and full label tables."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from negotiation.domain import errors
from negotiation.domain.enums import (
    CardReason,
    CardState,
    NegotiationState,
    OrderKind,
    OrderStatus,
    ReportKind,
    ReportReason,
    ReportStatus,
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
    ("report_kind", ReportKind), ("report_reason", ReportReason),
    ("report_status", ReportStatus),
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


@pytest.mark.parametrize(("value", "shown"), [
    ("shipment", "延迟发货报备 Delay-shipment report"),
    ("collection", "延迟揽收报备 Delay-collection report"),
    ("store", "店铺报备 Store report"),
    ("large_conference", "大型会议 Large conference"),
    ("major_event", "重大赛事 Major sports event"),
    ("natural_disaster", "自然灾害 Natural disaster"),
    ("merchant_factor", "商家因素 Merchant factors"),
    ("special_order", "特殊订单 Special order"),
    ("dual_address", "双地址 Dual address"),
    ("epidemic_control", "疫情/政策管控 Epidemic or policy control"),
    ("buyer_requested", "消费者要求延迟发货 Buyer asked to delay"),
    ("stock_shortage", "超卖/库存不足 Stock shortage or overselling"),
    ("pending_review", "待审核 Pending review"),
    ("approved", "已通过 Approved"),
    ("rejected", "已驳回 Rejected"),
    ("withdrawn", "已撤回 Withdrawn"),
])
def test_the_report_vocabularies_use_the_rule_books_chinese_names(value, shown):
    table = next(name for name in ("report_kind", "report_reason", "report_status")
                 if value in labels.TABLES[name])
    assert labels.label(value, table) == shown


@pytest.mark.parametrize("action", ["submitted", "evidence_added", "approved", "rejected",
                                    "withdrawn"])
def test_every_report_history_action_has_a_label(action):
    assert labels.label(action, "report_action") != action


@pytest.mark.parametrize("decision", ["submitted", "approved", "rejected", "withdrawn"])
def test_the_report_events_on_an_order_timeline_have_labels(decision):
    assert "报备" in labels.label(f"report.{decision}", "event_type")


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "等待 0 分 · waited 0 min"),
    (59, "等待 0 分 · waited 0 min"),
    (60 * 59, "等待 59 分 · waited 59 min"),
    (3600 + 60, "等待 1 小时 1 分 · waited 1 h 1 min"),
    (86400 - 1, "等待 23 小时 59 分 · waited 23 h 59 min"),
    (86400, "等待 1 天 0 小时 · waited 1 d 0 h"),
    (2 * 86400 + 3 * 3600 + 59 * 60, "等待 2 天 3 小时 · waited 2 d 3 h"),
    (-5, "等待 0 分 · waited 0 min"),
])
def test_a_wait_is_shown_in_days_and_hours_or_hours_and_minutes(seconds, shown):
    assert timefmt.waited(seconds) == shown


def test_calendar_days_begin_at_shanghai_midnight():
    assert timefmt.day_start(date(2026, 11, 22)) == datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
    assert timefmt.day_after(date(2026, 11, 22)) == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0 B"), (1023, "1023 B"), (1024, "1 KiB"), (1536, "1.5 KiB"),
    (10 * 1024 * 1024, "10 MiB"), (10 * 1024 * 1024 + 1, "10 MiB"),
])
def test_a_file_size_reads_in_binary_units(size, shown):
    assert labels.file_size(size) == shown


TEMPLATES = Path(labels.__file__).parent / "templates"


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_a_template_writes_no_sentence_of_its_own(template):
    """Every word a page shows comes from the catalogue (``UI`` through the ``text``
    filter), so an English-only or Chinese-only mode changes one place."""
    source = re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.DOTALL)
    literal_words = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}")
    outside_code = re.sub(r"<[^>]*>", " ", re.sub(r"\{[{%].*?[}%]\}", " ", source,
                                                  flags=re.DOTALL))
    assert [line.strip() for line in outside_code.splitlines()
            if literal_words.search(line)] == []
    strings_in_code = [literal for code in re.findall(r"\{[{%](.*?)[}%]\}", source,
                                                       flags=re.DOTALL)
                       for literal in re.findall(r"'([^']*)'|\"([^\"]*)\"", code)]
    assert [s for pair in strings_in_code for s in pair
            if re.search(r"[\u4e00-\u9fff]|\w+ \w+", s)] == []


def test_no_word_of_the_catalogue_is_written_twice():
    # A table built in parts (``UI |= {…}``) keeps the last of two entries of one key,
    # silently: a page then reads the other wording than the one meant for it.
    tree = ast.parse(Path(labels.__file__).read_text())
    written: dict[tuple[str, object], int] = {}
    twice = []
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AugAssign) and isinstance(node.value, ast.Dict):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            assert isinstance(target, ast.Name)
            for key in node.value.keys:
                if isinstance(key, ast.Constant):
                    if (target.id, key.value) in written:
                        twice.append((target.id, key.value))
                    written[target.id, key.value] = key.lineno
    assert twice == []
