"""Appeals through the pages: the seller files one from its order page, the reviewer
finds it in the queue and overturns it; bad input redraws the form and files nothing."""

from datetime import timedelta

from negotiation.services.appeals import queries as appeal_queries
from tests.api.report_helpers import JPEG, SHIP_BY
from tests.web.conftest import markup, text


def late_violation(world, clock):
    world.order("O-1")
    clock.set(SHIP_BY + timedelta(hours=1))
    _, [violation] = appeal_queries.order_violations(world.rt.uow(), world.owner.caller, "O-1")
    return violation.id


def test_a_seller_appeals_from_the_order_page_and_a_reviewer_overturns_it(
        browser, world, clock):
    violation_id = late_violation(world, clock)
    seller = browser(world.agent)
    order_page = markup(seller.get("/orders/O-1"))
    form_page = f"/violations/{violation_id}/appeal"
    assert form_page in order_page
    filed = seller.submit(form_page, form_page, {
        "reason": "carrier_fault", "description": "Collected the same day."},
        files={"file": (JPEG, "receipt.jpg")})
    assert filed.status_code == 302, text(filed)
    appeal_url = filed.headers["Location"]
    assert "receipt.jpg" in text(seller.get(appeal_url))
    reviewer = browser(world.reviewer)
    assert appeal_url.removeprefix("http://localhost") in markup(reviewer.get("/reports"))
    decided = reviewer.submit(appeal_url, f"{appeal_url}/overturn", {"note": "Checked."})
    assert decided.status_code == 302, text(decided)
    assert "overturned" in text(seller.get(appeal_url))
    [violation] = appeal_queries.order_violations(world.rt.uow(), world.owner.caller,
                                                  "O-1")[1]
    assert violation.exempted_by == "appeal"


def test_bad_input_redraws_the_form_with_what_was_typed_and_files_nothing(
        browser, world, clock):
    violation_id = late_violation(world, clock)
    seller = browser(world.owner)
    page = f"/violations/{violation_id}/appeal"
    redrawn = seller.submit(page, page, {"reason": "carrier_fault",
                                         "description": "x" * 1001})
    assert redrawn.status_code == 422
    assert "x" * 1001 in text(redrawn)
    [violation] = appeal_queries.order_violations(world.rt.uow(), world.owner.caller,
                                                  "O-1")[1]
    assert violation.appeal is None


def test_a_second_appeal_is_refused_on_the_form_with_its_message(browser, world, clock):
    violation_id = late_violation(world, clock)
    seller = browser(world.owner)
    page = f"/violations/{violation_id}/appeal"
    body = {"reason": "other", "description": "Please look again."}
    assert seller.submit(page, page, body).status_code == 302
    again = seller.submit(page, page, body)
    assert again.status_code == 409
    assert "Please look again." in text(again)


def test_the_ledger_names_an_overturned_appeal_beside_the_reversals_it_made(
        browser, world, clock):
    violation_id = late_violation(world, clock)
    seller = browser(world.owner)
    page = f"/violations/{violation_id}/appeal"
    filed = seller.submit(page, page, {"reason": "carrier_fault",
                                       "description": "Collected the same day."})
    appeal_url = filed.headers["Location"]
    ledger = f"/stores/{world.store_id}/penalties"
    assert "Overturned on appeal" not in text(seller.get(ledger))

    reviewer = browser(world.reviewer)
    assert reviewer.submit(appeal_url, f"{appeal_url}/overturn",
                           {"note": "Checked."}).status_code == 302
    rows = [row for row in markup(seller.get(ledger)).split("<tr")
            if "Overturned on appeal" in row]
    assert rows and all("冲正 Reversal" in row for row in rows)
