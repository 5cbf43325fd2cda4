"""A refusal shown on a form names its fields by the labels a person sees there, never by
the API's field names that the services' messages (the JSON API's contract) use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from negotiation.domain.enums import CardReason
from negotiation.domain.errors import InvalidInput
from negotiation.services.negotiation import cards
from negotiation.web import labels
from negotiation.web.forms.assessment import ExtensionForm, LedgerFilterForm
from negotiation.web.forms.common import in_labels, refusal_message
from negotiation.web.forms.negotiation import RejectForm
from tests.conftest import START
from tests.web.conftest import forms, markup, text
from tests.web.report_support import NEW, shipment_form

ORDER = "/orders/O-1"
_INPUT_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


def api_names_of_forms(page: str) -> set[str]:
    """The snake_case names of the inputs the page's forms carry, without a prefix
    (``ext-ends_at`` is the service's ``ends_at``)."""
    names = {name.rsplit("-", 1)[-1] for form in forms(page).values()
             for name in _INPUT_NAME.findall(form)}
    return {name for name in names if "_" in name and name != "csrf_token"}


def assert_no_api_name_shown(response) -> None:
    assert response.status_code == 422, text(response)
    names = api_names_of_forms(markup(response))
    assert names, "the page draws no form with snake_case inputs"
    shown = [name for name in names if re.search(rf"\b{name}\b", text(response))]
    assert shown == [], text(response)


def send_card(rt, world):
    return cards.propose_card(rt.uow(), world.owner.caller, "O-1",
                              proposed_ship_by=START + timedelta(days=5),
                              reason=CardReason.OTHER)


@pytest.mark.parametrize("proposed", ["2026-11-23T08:00", "2026-12-31T08:00"])
def test_a_refused_proposal_names_no_api_field(browser, world, proposed):
    world.order("O-1")
    assert_no_api_name_shown(browser(world.owner).submit(ORDER, "/orders/O-1/cards", {
        "proposed_ship_by": proposed, "reason": "other"}))


def test_a_refused_rejection_names_no_api_field(browser, world, rt):
    world.order("O-1")
    action = f"/orders/O-1/cards/{send_card(rt, world).id}/reject"
    assert_no_api_name_shown(browser(world.buyer).submit(ORDER, action, {
        "note": "", "preferred_ship_by": "2026-11-21T08:00"}))


def test_a_refused_preview_names_no_api_field(browser, world):
    world.order("O-1")
    assert_no_api_name_shown(browser(world.owner).get(
        ORDER, query_string={"ship_at": "2026-11-21T08:00"}))


@pytest.mark.parametrize("typed", [
    {"starts_at": "2026-11-25T00:00", "ends_at": "2026-11-24T00:00"},
    {"starts_at": "2026-11-24T00:00", "ends_at": "2027-06-24T00:00"},
])
def test_a_refused_exemption_names_no_api_field(browser, world, typed):
    assert_no_api_name_shown(browser(world.reviewer).submit("/exemptions", "/exemptions", {
        "region": "Zhejiang", "kinds": ["late_shipment"], "note": "", **typed}))


@pytest.mark.parametrize("typed", [
    {"ext-ends_at": "2026-11-23T00:00"},
    {"ext-cause": "carrier_suspension", "ext-suspended_carriers": "1"},
])
def test_a_refused_extension_names_no_api_field(browser, world, typed):
    assert_no_api_name_shown(browser(world.reviewer).submit(
        "/exemptions", "/regional-extensions", {
            "ext-region": "Zhejiang", "ext-cause": "high_risk", "ext-suspended_carriers": "",
            "ext-starts_at": "2026-11-24T00:00", "ext-ends_at": "2026-11-25T00:00",
            **typed}))


@pytest.mark.parametrize("typed", [
    {"order_nos": "", "latest_ship_at": ""},  # what the kind needs, missing
    {"kind": "store", "window_start": "2026-11-23T08:00",
     "window_end": "2026-11-25T08:00"},  # a field the kind does not use
    {"kind": "store", "order_nos": "", "window_start": "2026-11-25T08:00",
     "window_end": "2026-11-23T08:00"},  # a window ending before it starts
    {"latest_ship_at": "2026-11-23T08:00"},  # before the deadline it replaces
    {"latest_ship_at": "2027-03-01T08:00"},  # past the horizon
    {"kind": "collection", "order_nos": "", "latest_ship_at": "",
     "latest_collect_at": "2026-11-28T08:00"},  # no tracking numbers
])
def test_a_refused_report_names_no_api_field(browser, world, typed):
    world.order("O-1")
    assert_no_api_name_shown(browser(world.owner).submit(NEW, NEW, shipment_form(**typed)))


def test_refused_report_filters_name_no_api_field(browser, world):
    assert_no_api_name_shown(browser(world.owner).get(
        "/reports", query_string={"submitted_from": "2026-11-23", "submitted_to": "2026-11-21"}))


def test_a_prefixed_field_and_a_field_named_unlike_its_attribute_are_called_by_label(app):
    with app.test_request_context():
        extension = ExtensionForm(formdata=None, prefix="ext-", meta={"csrf": False})
        ledger = LedgerFilterForm(formdata=None)
        refused = InvalidInput("ends_at must be after starts_at.", field="ends_at")
        assert refusal_message(refused, named=extension.labels_by_api_name()) == (
            "输入有误 Invalid input: “原始发货时效至（不含）Original ship-by before "
            "(Asia/Shanghai)” must be after “原始发货时效从 Original ship-by from "
            "(Asia/Shanghai)”.")
        assert in_labels("from is after to.", ledger.labels_by_api_name()) == (
            "“日期从 From” is after “日期至（含）To (inclusive)”.")


def test_a_field_the_form_lacks_is_called_by_the_catalogues_label(app):
    with app.test_request_context():
        named = RejectForm(formdata=None, meta={"csrf": False}).labels_by_api_name()
    assert in_labels("proposed_ship_by is after preferred_ship_by", named) == (
        "“提议发货时间 Proposed ship-by” is after “希望的发货时间（可选）Preferred ship-by, "
        "optional (Asia/Shanghai)”")
    # A plain word is only a field's name on a form that has that field.
    assert in_labels("from the note to the window_end", {}) == (
        "from the note to the “报备时段结束 Window end”")


def test_a_plain_word_is_a_name_only_in_a_message_about_a_field(app):
    with app.test_request_context():
        named = ExtensionForm(formdata=None, meta={"csrf": False}).labels_by_api_name()
    assert in_labels("region is not known.", named) == "“地区 Region” is not known."
    # English that happens to use a field's name, and names no field, stays as it is.
    assert in_labels("Name a region by its code.", named) == "Name a region by its code."


def test_the_catalogue_names_only_snake_case_fields():
    assert all("_" in name for name in labels.FIELD)
