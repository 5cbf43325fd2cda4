"""The pages' shared mechanisms: the summary of a refused submission, the question asked
before an action that cannot be undone, and an expired form posted again as typed."""

from __future__ import annotations

from datetime import timedelta

from negotiation.domain.enums import CardReason, CardState
from negotiation.services.negotiation import cards
from tests.conftest import START
from tests.web.conftest import forms, markup, text

ORDER = "/orders/O-1"


def send_card(rt, world):
    return cards.propose_card(rt.uow(), world.owner.caller, "O-1",
                              proposed_ship_by=START + timedelta(days=5),
                              reason=CardReason.OTHER)


def test_a_refused_card_is_summarised_first_in_main_with_a_link_to_its_field(browser, world):
    world.order("O-1")
    refused = browser(world.owner).submit(ORDER, "/orders/O-1/cards", {
        "proposed_ship_by": "2027-01-01T08:00", "reason": "other"})
    assert refused.status_code == 422
    page = markup(refused)
    main = page[page.index('<main id="main">'):]
    assert main.index('id="form-summary"') < main.index("<h1>")
    summary = main[main.index('id="form-summary"'):main.index("</section>")]
    assert "autofocus" in page[page.index('<section id="form-summary"'):][:200]
    assert '<a href="#proposed_ship_by">' in summary and "提议时间超出允许范围" in summary


def test_a_page_drawn_without_a_refusal_has_no_summary(browser, world):
    world.order("O-1")
    assert 'id="form-summary"' not in markup(browser(world.owner).get(ORDER))


def test_withdrawing_without_javascript_asks_first_and_changes_nothing(browser, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    b = browser(world.owner)
    action = f"/orders/O-1/cards/{card.id}/withdraw"
    asked = b.post_unconfirmed(action, page=ORDER)
    assert asked.status_code == 200
    assert "确定撤回这张卡片吗？" in text(asked)
    assert cards.get_negotiation(rt.uow(), world.owner.caller, "O-1").cards[0].state \
        == CardState.PENDING
    [form] = [f for a, f in forms(markup(asked)).items() if a == action]
    assert 'name="confirmed" value="yes"' in form
    assert b.confirm(asked).status_code == 302
    assert cards.get_negotiation(rt.uow(), world.owner.caller, "O-1").cards[0].state \
        == CardState.WITHDRAWN


def test_the_button_carries_the_same_question_for_the_script(browser, world, rt):
    world.order("O-1")
    send_card(rt, world)
    page = markup(browser(world.owner).get(ORDER))
    assert 'data-confirm="确定撤回这张卡片吗？' in page


def test_an_expired_form_is_offered_again_with_what_was_typed(browser, world, rt):
    world.order("O-1")
    b = browser(world.owner)
    refused = b.client.post("/orders/O-1/cards", data={
        "csrf_token": "stale", "proposed_ship_by": "2026-11-27T08:00", "reason": "other",
        "remark": "刻字 engraving"})
    assert refused.status_code == 400
    assert "表单已失效 The form has expired" in text(refused)
    again = forms(markup(refused))["/orders/O-1/cards"]
    assert 'name="remark" value="刻字 engraving"' in again
    assert cards.get_negotiation(rt.uow(), world.owner.caller, "O-1").cards == []
