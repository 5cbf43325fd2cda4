"""The form library's own messages (a validator given none of its own) read Chinese first
with the English beside, and the summary names the form's field by its label."""

from __future__ import annotations

from negotiation.web.forms.common import LIBRARY_MESSAGES
from tests.web.conftest import text

ORDER = "/orders/O-1"


def test_a_token_too_long_is_refused_in_chinese_then_english_naming_the_field(browser, world):
    refused = browser().sign_in("x" * 501)
    assert refused.status_code == 422
    page = text(refused)
    assert ("访问令牌 Access token ：字段长度不能超过 500 个字符。 "
            "Field cannot be longer than 500 characters.") in page


def test_a_carrier_name_too_long_is_refused_in_both_languages(browser, world):
    world.order("O-1")
    refused = browser(world.owner).submit(ORDER, "/orders/O-1/shipments", {
        "carrier": "S" * 101, "tracking_no": "SF1234"})
    page = text(refused)
    assert refused.status_code == 422, page
    assert ("快递公司 Carrier ：字段长度必须介于 1 到 100 个字符之间。 "
            "Field must be between 1 and 100 characters long.") in page


def test_a_reason_not_in_the_list_is_refused_with_the_projects_own_words(browser, world):
    world.order("O-1")
    refused = browser(world.owner).submit(ORDER, "/orders/O-1/cards", {
        "proposed_ship_by": "2026-11-27T08:00", "reason": "whim"})
    assert "原因 Reason ：请从列表中选择 Choose one of the listed options." in text(refused)


def test_every_default_message_the_library_words_is_bilingual():
    singular = "Field must be at least %(min)d character long."
    plural = "Field must be at least %(min)d characters long."
    assert LIBRARY_MESSAGES.ngettext(singular, plural, 1) % {"min": 1} == (
        "字段长度必须至少 1 个字符。 Field must be at least 1 character long.")
    assert LIBRARY_MESSAGES.gettext("Not a valid integer value.") == (
        "不是有效的整数。 Not a valid integer value.")
    assert LIBRARY_MESSAGES.gettext("This field is required.") == "必填 Required."
    # A message the Chinese catalogue lacks stays readable rather than failing.
    assert LIBRARY_MESSAGES.gettext("Something new.") == "Something new."
