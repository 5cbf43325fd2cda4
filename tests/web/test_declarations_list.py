"""A reviewer's page of regional exemptions and extensions: regions chosen from the
places (Chinese name first, the code as the value), the lists filtered by region and
state, and each declaration ended with its own button."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from negotiation.domain.enums import ExtensionCause, ViolationKind
from negotiation.services.assessment import regions
from tests.conftest import ADMIN_TOKEN, START
from tests.web.assessment_support import table
from tests.web.conftest import forms, markup, text
from tests.web.report_support import field_errors
from tests.web.test_exemption_form import PAGE, exemption, selected

DAY = timedelta(days=1)


def declare(rt, world, region="Zhejiang", starts_at=START, ends_at=START + DAY):
    return regions.declare_exemption(rt.uow(), world.reviewer.caller, region=region,
                                     starts_at=starts_at, ends_at=ends_at,
                                     kinds=[ViolationKind.LATE_SHIPMENT]).id


def declare_extension(rt, world, region="Zhejiang"):
    return regions.declare_extension(rt.uow(), world.reviewer.caller, region=region,
                                     cause=ExtensionCause.HIGH_RISK, starts_at=START,
                                     ends_at=START + DAY).id


def ended_at(rt, world, exemption_id):
    [row] = [e for e in regions.list_exemptions(rt.uow(), world.reviewer.caller, limit=100)
             .items if e.id == exemption_id]
    return row.ended_at


def test_the_region_is_chosen_from_places_grouped_by_province(browser, world):
    form = forms(markup(browser(world.reviewer).get(PAGE)))[PAGE]
    select = re.search(r'<select\b[^>]*name="region"[^>]*>(.*?)</select>', form, re.DOTALL)
    assert select, "the region is not a list to choose from"
    zhejiang = re.search(r'<optgroup label="浙江 Zhejiang">(.*?)</optgroup>', select.group(1),
                         re.DOTALL)
    assert zhejiang
    assert re.findall(r'value="([^"]*)">浙江 Zhejiang<', zhejiang.group(1)) == ["Zhejiang"]
    assert '<option value="Hangzhou">杭州 Hangzhou</option>' in zhejiang.group(1)
    assert selected(form, "region") == ""  # nothing chosen for the reviewer


def test_choosing_a_city_declares_its_code(browser, world, rt):
    assert browser(world.reviewer).submit(PAGE, PAGE, exemption(region="Hangzhou")
                                          ).status_code == 302
    [row] = regions.list_exemptions(rt.uow(), world.reviewer.caller, limit=10).items
    assert row.region == "Hangzhou"


def test_the_lists_are_filtered_by_region_and_state(browser, world, rt, clock):
    zhejiang = declare(rt, world)
    jiangsu = declare(rt, world, region="Jiangsu")
    upcoming = declare(rt, world, starts_at=START + DAY, ends_at=START + 2 * DAY)
    extension = declare_extension(rt, world, region="Jiangsu")
    b = browser(world.reviewer)

    def shown(**query):
        page = markup(b.get(PAGE, query_string=query))
        return ([row[0] for row in table(page, "exemptions")] if 'class="exemptions"' in page
                else [])

    assert shown() == [f"#{upcoming}", f"#{jiangsu}", f"#{zhejiang}"]
    assert shown(region="Jiangsu") == [f"#{jiangsu}"]
    assert shown(state="upcoming") == [f"#{upcoming}"]
    assert shown(region="Zhejiang", state="active") == [f"#{zhejiang}"]
    page = b.get(PAGE, query_string={"region": "Jiangsu"})
    assert table(markup(page), "extensions")[0][:2] == [f"#{extension}", "江苏 Jiangsu"]
    assert selected(forms(markup(page))["/exemptions#list"], "region") == "Jiangsu"
    assert "没有符合筛选的区域豁免。" in text(b.get(PAGE, query_string={"state": "ended"}))


def test_a_bad_filter_is_named_beside_it_and_the_lists_drawn_unfiltered(browser, world, rt):
    declared = declare(rt, world)
    page = browser(world.reviewer).get(PAGE, query_string={"region": "浙江", "state": "soon"})
    assert page.status_code == 422
    form = forms(markup(page))["/exemptions#list"]
    assert "Choose one of the listed options." in field_errors(form, "filter-region")
    assert "Choose one of the listed options." in field_errors(form, "filter-state")
    assert table(markup(page), "exemptions")[0][0] == f"#{declared}"


def test_a_reviewer_ends_an_exemption_with_its_button(browser, world, rt, clock):
    declared = declare(rt, world)
    clock.advance(timedelta(hours=2))
    b = browser(world.reviewer)
    action = f"/exemptions/{declared}/end"
    ended = b.submit(PAGE, action)
    assert ended.status_code == 302 and ended.headers["Location"] == PAGE
    assert ended_at(rt, world, declared) == START + timedelta(hours=2)
    page = b.get(PAGE)
    assert f"区域豁免 #{declared} 已结束" in text(page)
    row = table(markup(page), "exemptions")[0]
    assert row[2] == "2026-11-22 08:00 Asia/Shanghai – 2026-11-22 10:00 Asia/Shanghai"
    assert row[6].startswith("已结束 Ended")
    assert action not in forms(markup(page))  # no button for one already over


def test_ending_one_already_over_says_so_at_the_top(browser, world, rt):
    declared = declare(rt, world)
    b = browser(world.reviewer)
    shown = b.get(PAGE)  # a tab opened before another reviewer ended it
    regions.end_exemption(rt.uow(), world.reviewer.caller, declared)
    token = re.search(r'name="csrf_token" value="([^"]+)"', markup(shown)).group(1)
    again = b.client.post(f"/exemptions/{declared}/end",
                          data={"csrf_token": token, "confirmed": "yes"})
    assert again.status_code == 409
    assert "该区域豁免已结束，无需再结束。This regional exemption is already over." in text(again)
    assert 'role="alert"' in markup(again)


def test_a_reviewer_ends_an_extension(browser, world, rt):
    declared = declare_extension(rt, world)
    b = browser(world.reviewer)
    ended = b.submit(PAGE, f"/regional-extensions/{declared}/end")
    assert ended.status_code == 302
    assert f"区域延期 #{declared} 已结束" in text(b.get(PAGE))
    [row] = regions.list_extensions(rt.uow(), world.reviewer.caller, limit=10).items
    assert row.state == "ended"


def test_ending_without_javascript_asks_first_and_ends_nothing_until_confirmed(
        browser, world, rt):
    declared = declare(rt, world)
    b = browser(world.reviewer)
    action = f"/exemptions/{declared}/end"
    asked = b.post_unconfirmed(action, page=PAGE)
    assert asked.status_code == 200
    assert "确定现在结束这项区域豁免吗？" in text(asked)
    assert ended_at(rt, world, declared) is None
    [form] = [f for a, f in forms(markup(asked)).items() if a == action]
    assert 'name="confirmed" value="yes"' in form
    assert b.confirm(asked).status_code == 302
    assert ended_at(rt, world, declared) is not None


def test_ending_an_extension_without_javascript_asks_first(browser, world, rt):
    declared = declare_extension(rt, world)
    b = browser(world.reviewer)
    asked = b.post_unconfirmed(f"/regional-extensions/{declared}/end", page=PAGE)
    assert asked.status_code == 200 and "确定现在结束这项区域延期吗？" in text(asked)
    [row] = regions.list_extensions(rt.uow(), world.reviewer.caller, limit=10).items
    assert row.state != "ended"
    assert b.confirm(asked).status_code == 302
    [row] = regions.list_extensions(rt.uow(), world.reviewer.caller, limit=10).items
    assert row.state == "ended"


def test_the_end_buttons_carry_the_same_questions_for_the_script(browser, world, rt):
    declare(rt, world)
    declare_extension(rt, world)
    page = markup(browser(world.reviewer).get(PAGE))
    assert 'data-confirm="确定现在结束这项区域豁免吗？' in page
    assert 'data-confirm="确定现在结束这项区域延期吗？' in page


def test_the_end_post_without_the_csrf_token_is_refused(browser, world, rt):
    declared = declare(rt, world)
    b = browser(world.reviewer)
    b.get(PAGE)
    assert b.client.post(f"/exemptions/{declared}/end").status_code == 400
    assert ended_at(rt, world, declared) is None


@pytest.mark.parametrize("who", ["owner", "buyer", "admin"])
def test_others_are_offered_no_end_button_and_may_not_end(browser, world, rt, who):
    declared = declare(rt, world)
    extension = declare_extension(rt, world)
    b = browser(ADMIN_TOKEN if who == "admin" else getattr(world, who))
    if who == "admin":  # reads the lists, without buttons
        assert f"/exemptions/{declared}/end" not in forms(markup(b.get(PAGE)))
    for action in (f"/exemptions/{declared}/end", f"/regional-extensions/{extension}/end"):
        assert b.post_anyway(action).status_code == 403
    assert ended_at(rt, world, declared) is None


def test_ending_one_that_does_not_exist_is_not_found(browser, world):
    assert browser(world.reviewer).post_anyway("/exemptions/999/end").status_code == 404
