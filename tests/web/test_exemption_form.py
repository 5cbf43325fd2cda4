"""A reviewer's regional exemption and extension forms: declaring one, what it waives or
extends, bad input shown again as typed, CSRF, and who may not."""

from __future__ import annotations

import re

import pytest

from negotiation.domain.enums import ViolationKind
from negotiation.services.assessment import regions
from negotiation.services.orders import orders
from tests.conftest import ADMIN_TOKEN, START
from tests.web.assessment_support import (
    HOUR,
    SHIP_BY,
    input_value,
    ledger,
    pass_deadlines,
    table,
)
from tests.web.conftest import forms, markup, text
from tests.web.report_support import field_errors

PAGE = "/exemptions"
EXTEND = "/regional-extensions"


def exemption(**overrides) -> dict:
    """What a reviewer types to waive late shipments due on 2026-11-24 in Zhejiang."""
    return {"region": "Zhejiang", "starts_at": "2026-11-24T00:00",
            "ends_at": "2026-11-25T00:00", "kinds": ["late_shipment"],
            "note": "暴雪 Snowstorm", **overrides}


def extension(**overrides) -> dict:
    """A high-risk extension of Zhejiang for original deadlines on 2026-11-24."""
    return {"ext-region": "Zhejiang", "ext-cause": "high_risk", "ext-suspended_carriers": "",
            "ext-starts_at": "2026-11-24T00:00", "ext-ends_at": "2026-11-25T00:00",
            **overrides}


def stored(rt, world):
    return regions.list_exemptions(rt.uow(), world.reviewer.caller, limit=100).items


def test_an_exemption_waives_a_recorded_violation_and_the_ledger_shows_the_reversal(
        browser, world, rt, clock):
    world.order("O-1")
    pass_deadlines(rt, clock, SHIP_BY + HOUR)
    charged = ledger(rt, world.owner, world.store_id)
    assert [e.kind for e in charged] == ["deposit_deduction", "buyer_compensation"]

    b = browser(world.reviewer)
    declared = b.submit(PAGE, PAGE, exemption())
    assert declared.status_code == 302 and declared.headers["Location"] == PAGE
    [row] = stored(rt, world)
    assert (row.region, row.kinds, row.note) == ("Zhejiang", ["late_shipment"], "暴雪 Snowstorm")
    assert row.starts_at == START + 40 * HOUR  # 2026-11-24 00:00 typed in Shanghai
    page = b.get(PAGE)
    # The region by its place's name, as the list below it shows it, not by its code.
    assert (f"已登记区域豁免 #{row.id}（浙江 Zhejiang），已豁免已记录的违规 1 条。"
            f"Regional exemption #{row.id} for 浙江 Zhejiang recorded: 1 recorded violation(s) "
            "waived.") in text(page)
    assert table(markup(page), "exemptions")[0][:4] == [
        f"#{row.id}", "浙江 Zhejiang", "2026-11-24 00:00 Asia/Shanghai – 2026-11-25 00:00 "
        "Asia/Shanghai", "发货超时 Late shipment"]

    owner = browser(world.owner)
    entries = table(markup(owner.get(f"/stores/{world.store_id}/penalties")), "entries")
    reversals = [row for row in entries if row[2] == "冲正 Reversal"]
    assert {r[8] for r in reversals} == {
        f"冲正 #{e.id} Reverses #{e.id} 区域豁免 Regional exemption" for e in charged}
    assert sorted(r[4] for r in reversals) == ["-¥10.00", "-¥5.00"]
    totals = table(markup(owner.get(f"/stores/{world.store_id}/penalties")), "totals")
    assert totals[0][2:] == ["-¥15.00", "0", "¥0.00"]  # reversed, points, net

    panel = text(owner.get("/orders/O-1"))
    assert "区域豁免 Regional exemption" in panel
    assert "扣保证金 Deposit deduction ¥0.00" in panel and "扣分 Points 0" in panel


def test_an_exemption_both_kinds_and_no_recorded_violation_says_none_were_waived(
        browser, world, rt):
    b = browser(world.reviewer)
    declared = b.submit(PAGE, PAGE, exemption(
        kinds=["late_shipment", "collection_timeout"], note=""))
    assert declared.status_code == 302
    [row] = stored(rt, world)
    assert row.kinds == ["collection_timeout", "late_shipment"] and row.note is None
    page = b.get(PAGE)
    assert "已豁免已记录的违规 0 条" in text(page)
    assert table(markup(page), "exemptions")[0][3] == (
        "揽收超时 Collection timeout · 发货超时 Late shipment")


def test_the_exemption_post_without_the_csrf_token_is_refused(browser, world, rt):
    b = browser(world.reviewer)
    b.get(PAGE)
    missing = b.client.post(PAGE, data=exemption())
    forged = b.client.post(PAGE, data={**exemption(), "csrf_token": "forged"})
    for refused in (missing, forged):
        assert refused.status_code == 400 and refused.mimetype == "text/html"
        assert "表单已失效 The form has expired" in text(refused)
    assert stored(rt, world) == []


@pytest.mark.parametrize("who", ["owner", "agent", "buyer"])
def test_sellers_and_buyers_cannot_open_or_post_the_form(browser, world, rt, who):
    b = browser(getattr(world, who))
    assert 'href="/exemptions"' not in markup(b.get("/"))
    page = b.get(PAGE)
    assert page.status_code == 403 and "无权操作 Not permitted" in text(page)
    assert PAGE not in forms(markup(page))
    for body in (exemption(), exemption(kinds=[])):  # valid or not: refused alike
        assert b.post_anyway(PAGE, body).status_code == 403
    assert b.post_anyway(EXTEND, extension()).status_code == 403
    assert stored(rt, world) == []


def test_the_reviewer_finds_the_form_in_the_nav_and_an_admin_only_reads_the_list(
        browser, world):
    assert 'href="/exemptions"' in markup(browser(world.reviewer).get("/"))
    page = browser(ADMIN_TOKEN).get(PAGE)
    assert page.status_code == 200 and "尚未登记区域豁免。" in text(page)
    assert PAGE not in forms(markup(page)) and EXTEND not in forms(markup(page))


def test_ends_before_starts_is_named_beside_ends_at_and_the_input_is_kept(browser, world, rt):
    typed = exemption(starts_at="2026-11-25T00:00", ends_at="2026-11-24T00:00",
                      kinds=["collection_timeout"])
    again = browser(world.reviewer).submit(PAGE, PAGE, typed)
    assert again.status_code == 422
    form = forms(markup(again))[PAGE]
    message = field_errors(form, "ends_at")
    assert ("“豁免时段结束（不含）Window ends before (Asia/Shanghai)” must be after "
            "“豁免时段开始 Window starts at (Asia/Shanghai)”.") in message
    assert "ends_at" not in message and "starts_at" not in message
    assert selected(form, "region") == "Zhejiang"
    assert input_value(form, "starts_at") == "2026-11-25T00:00"
    assert input_value(form, "ends_at") == "2026-11-24T00:00"
    assert "暴雪 Snowstorm</textarea>" in form
    assert _checked(form) == ["collection_timeout"]
    assert stored(rt, world) == []


def test_no_kinds_is_named_and_the_rest_is_kept(browser, world, rt):
    again = browser(world.reviewer).submit(PAGE, PAGE, exemption(kinds=[]))
    assert again.status_code == 422
    form = forms(markup(again))[PAGE]
    assert "请至少选择一种违规 Choose at least one kind of violation." in form
    assert 'id="kinds-errors"' in form
    assert selected(form, "region") == "Zhejiang" and _checked(form) == []
    assert stored(rt, world) == []


@pytest.mark.parametrize(("changed", "field", "message"), [
    ({"region": ""}, "region", "必填 Required."),
    ({"region": "Zhe\x01jiang"}, "region", "Choose one of the listed options."),
    ({"region": "浙江"}, "region", "Choose one of the listed options."),
    ({"starts_at": "soon"}, "starts_at", "Enter a valid date and time"),
    ({"ends_at": "2026-11-24T00:00", "starts_at": "2026-06-01T00:00"}, "ends_at",
     "The window is at most 90 days."),
    ({"kinds": ["transit_timeout"]}, "kinds", "请从列表中选择 Choose one of the listed options."),
    ({"note": "x" * 1001}, "note", "The note is at most 1000 characters."),
])
def test_other_bad_input_is_named_beside_its_field(browser, world, rt, changed, field,
                                                   message):
    again = browser(world.reviewer).submit(PAGE, PAGE, exemption(**changed))
    assert again.status_code == 422
    assert message in field_errors(forms(markup(again))[PAGE], field)
    assert stored(rt, world) == []


def selected(form: str, name: str) -> str | None:
    """The value of the option chosen in the select ``name`` ("" for the blank first
    one, which a browser shows when none is marked), or None with no such select."""
    select = re.search(rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', form,
                       re.DOTALL)
    if select is None:
        return None
    chosen = re.search(r'<option\b[^>]*\bselected\b[^>]*\bvalue="([^"]*)"'
                       r'|<option\b[^>]*\bvalue="([^"]*)"[^>]*\bselected\b', select.group(1))
    return next(v for v in chosen.groups() if v is not None) if chosen else ""


def _checked(form: str) -> list[str]:
    """The values of the checked boxes (WTForms writes ``checked`` before ``value``)."""
    return re.findall(r'<input\b[^>]*\bchecked\b[^>]*\bvalue="([^"]*)"', form)


# --- the extension form ----------------------------------------------------------------


def test_an_extension_moves_the_regions_deadlines_and_says_how_many(browser, world, rt):
    world.order("O-1")  # original ship-by 2026-11-24 07:00 Shanghai: in the window
    world.order("O-2", ship_by=SHIP_BY + 48 * HOUR)  # 2026-11-26: outside it
    b = browser(world.reviewer)
    declared = b.submit(PAGE, EXTEND, extension())
    assert declared.status_code == 302 and declared.headers["Location"] == PAGE
    assert "1 order(s) extended." in text(b.get(PAGE))
    moved = orders.get_order(rt.uow(), world.owner.caller, "O-1")
    assert moved.ship_by == SHIP_BY + 14 * 24 * HOUR
    assert moved.ship_by_source == "regional_extension"
    assert orders.get_order(rt.uow(), world.owner.caller, "O-2").ship_by == SHIP_BY + 48 * HOUR
    panel = text(browser(world.owner).get("/orders/O-1"))
    assert ("有效发货时效 Effective ship-by 2026-12-08 07:00 Asia/Shanghai "
            "区域延期 Regional extension") in panel


def test_a_carrier_suspension_needs_enough_suspended_carriers(browser, world, rt):
    world.order("O-1")
    b = browser(world.reviewer)
    again = b.submit(PAGE, EXTEND, extension(**{"ext-cause": "carrier_suspension",
                                                "ext-suspended_carriers": "3"}))
    assert again.status_code == 422
    form = forms(markup(again))[EXTEND]
    assert "from 6 suspended carriers" in field_errors(form, "ext-suspended_carriers")
    assert input_value(form, "ext-suspended_carriers") == "3"
    assert re.search(r'<option\b[^>]*\bselected\b[^>]*value="carrier_suspension"', form)
    assert orders.get_order(rt.uow(), world.owner.caller, "O-1").ship_by == SHIP_BY
    done = b.submit(PAGE, EXTEND, extension(**{"ext-cause": "carrier_suspension",
                                               "ext-suspended_carriers": "6"}))
    assert done.status_code == 302


@pytest.mark.parametrize(("changed", "field", "message"), [
    ({"ext-suspended_carriers": "many"}, "ext-suspended_carriers",
     "请输入整数 Enter a whole number."),
    ({"ext-cause": ""}, "ext-cause", "请选择原因 Choose a cause."),
    ({"ext-ends_at": "2026-11-23T00:00"}, "ext-ends_at",
     "“原始发货时效至（不含）Original ship-by before (Asia/Shanghai)” must be after "
     "“原始发货时效从 Original ship-by from (Asia/Shanghai)”."),
])
def test_bad_extension_input_is_named_beside_its_field_and_kept(browser, world, changed,
                                                               field, message):
    again = browser(world.reviewer).submit(PAGE, EXTEND, extension(**changed))
    assert again.status_code == 422
    form = forms(markup(again))[EXTEND]
    assert message in field_errors(form, field)
    assert "_at " not in field_errors(form, field)  # no API name such as ends_at
    assert selected(form, "ext-region") == "Zhejiang"
    # The exemption form beside it is drawn blank, its own inputs untouched.
    assert selected(forms(markup(again))[PAGE], "region") == ""


def test_a_violation_kind_label_covers_each_checkbox(browser, world):
    form = forms(markup(browser(world.reviewer).get(PAGE)))[PAGE]
    for kind in ViolationKind:
        assert f'value="{kind.value}"' in form
    assert "发货超时 Late shipment" in form and "揽收超时 Collection timeout" in form


def test_declaring_the_same_extension_again_extends_no_order(browser, world, rt):
    world.order("O-1")
    b = browser(world.reviewer)
    assert b.submit(PAGE, EXTEND, extension()).status_code == 302
    assert "1 order(s) extended." in text(b.get(PAGE))
    extended = orders.get_order(rt.uow(), world.owner.caller, "O-1").ship_by
    assert b.submit(PAGE, EXTEND, extension()).status_code == 302
    assert orders.get_order(rt.uow(), world.owner.caller, "O-1").ship_by == extended
    assert "0 order(s) extended." in text(b.get(PAGE))


def test_a_preview_counts_a_declared_exemption(browser, world, rt):
    world.order("O-1")
    assert browser(world.reviewer).submit(PAGE, PAGE, exemption()).status_code == 302
    page = browser(world.owner).get("/orders/O-1", query_string={"ship_at": "2026-11-26T08:00"})
    rows = table(markup(page), "violations")
    assert [(row[0], row[3]) for row in rows] == [
        ("发货超时 Late shipment 预览新增 Added by the preview", "区域豁免 Regional exemption"),
        ("揽收超时 Collection timeout 预览新增 Added by the preview", "未豁免 Counts")]
    shown = text(page)
    assert "扣保证金 Deposit deduction ¥10.00" in shown  # the collection timeout alone
    assert "赔付买家 Buyer compensation ¥0.00" in shown
