"""Input an attacker would send: each answers a 4xx problem naming what is wrong, and
changes nothing. Every case here once answered 500, or 2xx having dropped part of the body.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from negotiation import create_app
from negotiation.app import ConfigurationError
from negotiation.services.core import pagination
from tests.api.helpers import (
    API,
    assert_invalid,
    assert_problem,
    card,
    events,
    negotiation,
    sent_card,
)
from tests.api.report_helpers import file_shipment, multipart, report
from tests.conftest import START

SURROGATE = "a\ud800b"
HUGE_INTEGER = "9" * 4301  # one digit more than Python converts by default
CARD = {"proposed_ship_by": "2026-11-27T00:00:00Z", "reason": "custom_made"}
NEW_ORDER = {"order_no": "N-1", "amount": "10.00", "paid_at": "2026-11-22T00:00:00Z"}


@pytest.fixture
def order_o1(world):
    return world.order("O-1")


def raw_json(text: str) -> dict:
    """Keyword arguments posting ``text`` verbatim as a JSON body."""
    return {"data": text.encode("utf-8", "surrogatepass"), "content_type": "application/json"}


def snapshot(client, world):
    return negotiation(client, world.owner), events(client, world.owner)


# --- text no database can store ---------------------------------------------------------


def test_a_lone_surrogate_in_a_card_remark_is_refused_naming_the_field(
        client, world, order_o1):
    before = snapshot(client, world)
    body = json.dumps({**CARD, "remark": SURROGATE})  # json escapes it as \ud800
    response = client.post(f"{API}/orders/O-1/negotiation/cards", headers=world.owner.headers,
                           **raw_json(body))
    assert_invalid(response, "remark")
    assert snapshot(client, world) == before


@pytest.mark.parametrize(("path", "role", "body", "field"), [
    ("/stores", "admin", {"name": SURROGATE}, "name"),
    ("/accounts", "admin", {"role": "buyer", "name": SURROGATE}, "name"),
    ("/delay-reports", "owner", {"kind": "shipment", "reason": "natural_disaster",
                                 "description": SURROGATE, "order_nos": ["O-1"],
                                 "latest_ship_at": "2026-11-28T00:00:00Z"}, "description"),
    ("/exemptions", "reviewer", {"region": SURROGATE, "starts_at": "2026-11-22T00:00:00Z",
                                 "ends_at": "2026-11-23T00:00:00Z",
                                 "kinds": ["late_shipment"]}, "region"),
])
def test_a_lone_surrogate_in_any_free_text_is_refused_naming_the_field(
        client, world, order_o1, path, role, body, field):
    headers = world.admin_headers if role == "admin" else getattr(world, role).headers
    response = client.post(API + path, headers=headers, **raw_json(json.dumps(body)))
    assert_invalid(response, field)


def test_a_lone_surrogate_in_a_key_or_a_list_item_is_named_where_it_is(
        client, world, order_o1):
    body = json.dumps({"kind": "shipment", "reason": "natural_disaster", "description": "d",
                       "order_nos": ["O-1", SURROGATE], "latest_ship_at": "2026-11-28T00:00:00Z",
                       SURROGATE: 1})
    response = client.post(f"{API}/delay-reports", headers=world.owner.headers,
                           **raw_json(body))
    body = assert_invalid(response, "order_nos.1")
    assert "surrogate" in body["detail"]  # the top level's own key, told in the detail


# --- JSON the decoder refuses -------------------------------------------------------------


@pytest.mark.parametrize("where", ["remark", "nested", "top"])
def test_an_integer_of_more_digits_than_python_converts_is_a_bad_request(
        client, world, order_o1, where):
    before = snapshot(client, world)
    text = {"remark": f'{{"proposed_ship_by": "2026-11-27T00:00:00Z", "remark": {HUGE_INTEGER}}}',
            "nested": f'{{"reason": "other", "x": [{{"y": {HUGE_INTEGER}}}]}}',
            "top": HUGE_INTEGER}[where]
    response = client.post(f"{API}/orders/O-1/negotiation/cards", headers=world.owner.headers,
                           **raw_json(text))
    body = assert_problem(response, 400, "bad_request")
    assert "digits" in body["detail"]
    assert snapshot(client, world) == before


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_non_standard_json_constant_is_a_bad_request(client, world, constant):
    response = client.post(f"{API}/orders", headers=world.admin_headers,
                           **raw_json(f'{{"order_no": "N-1", "amount": {constant}}}'))
    body = assert_problem(response, 400, "bad_request")
    assert constant in body["detail"]


# --- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [
    "1e999999999", "1E3", "Infinity", "NaN", "10.001", "0", "-1.00", "1000000000.01", " 10",
    "10.", ".5", "0x10", 0.1 + 0.2, 10.125, 0, -5, 1e10, True, None, ["10.00"]])
def test_an_amount_that_is_not_a_decimal_string_within_bounds_is_refused(
        client, world, amount):
    body = {**NEW_ORDER, "store_id": world.store_id, "buyer_id": world.buyer.id,
            "amount": amount}
    assert_invalid(client.post(f"{API}/orders", headers=world.admin_headers, json=body),
                   "amount")
    assert client.get(f"{API}/orders/N-1", headers=world.admin_headers).status_code == 404


@pytest.mark.parametrize("number", [f"10.{'1' * 30}", f"10.{'0' * 29}1", "1e999999999",
                                    "1E-999999999", "-0.00", "10.001"])
def test_an_amount_sent_as_a_number_beyond_two_places_or_bounds_is_refused_not_rounded(
        client, world, number):
    text = (f'{{"order_no": "N-1", "store_id": {world.store_id}, "buyer_id": {world.buyer.id},'
            f' "paid_at": "2026-11-22T00:00:00Z", "amount": {number}}}')
    assert_invalid(client.post(f"{API}/orders", headers=world.admin_headers, **raw_json(text)),
                   "amount")
    assert client.get(f"{API}/orders/N-1", headers=world.admin_headers).status_code == 404


@pytest.mark.parametrize("amount", ["0.01", "10", "10.5", "1000000000", "1000000000.00",
                                    0.01, 10, 10.5, 1000000000])
def test_an_amount_within_bounds_with_at_most_two_places_is_kept_exactly(
        client, world, amount):
    body = {**NEW_ORDER, "store_id": world.store_id, "buyer_id": world.buyer.id,
            "amount": amount}
    response = client.post(f"{API}/orders", headers=world.admin_headers, json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["amount"] == f"{Decimal(str(amount)):.2f}"


# --- cursors and days at the edge of the calendar -------------------------------------------

EDGE_INSTANTS = ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00",
                 "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-11-22T00:00:00",
                 "2026-11-22T08:00:00+08:00"]


def instant_cursor_lists(world) -> list[tuple[str, dict[str, str]]]:
    return [(f"{API}/orders/O-1/events", world.owner.headers),
            (f"{API}/delay-reports", world.reviewer.headers),
            (f"{API}/stores/{world.store_id}/penalties", world.owner.headers)]


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
def test_a_forged_cursor_at_the_edge_of_the_calendar_is_refused_on_every_list(
        client, world, order_o1, instant):
    cursor = pagination.encode([instant, 1])
    for url, headers in instant_cursor_lists(world):
        response = client.get(url, headers=headers, query_string={"cursor": cursor})
        assert_invalid(response, "cursor")


@pytest.mark.parametrize("position", [[0], [-1], [2**63], [True], ["1"], [1.5], [1, 2], {}])
def test_a_forged_id_cursor_is_refused_on_every_list(client, world, position):
    cursor = pagination.encode(position)
    for url, headers in [(f"{API}/orders", world.owner.headers),
                         (f"{API}/exemptions", world.reviewer.headers)]:
        response = client.get(url, headers=headers, query_string={"cursor": cursor})
        assert_invalid(response, "cursor")


def test_a_cursor_the_service_issued_is_taken_back(client, world, order_o1):
    sent_card(client, world)
    first = client.get(f"{API}/orders/O-1/events?limit=1", headers=world.owner.headers)
    cursor = first.get_json()["next_cursor"]
    assert cursor is not None
    after = client.get(f"{API}/orders/O-1/events", headers=world.owner.headers,
                       query_string={"limit": 1, "cursor": cursor})
    assert after.status_code == 200, after.get_data(as_text=True)
    assert after.get_json()["items"][0]["id"] != first.get_json()["items"][0]["id"]


@pytest.mark.parametrize("query", [{"to": "0001-01-05"}, {"from": "0001-01-01"},
                                   {"to": "9999-12-31"}, {"from": "1969-12-31"}])
def test_a_ledger_day_outside_the_supported_years_is_refused_naming_it(client, world, query):
    response = client.get(f"{API}/stores/{world.store_id}/penalties", headers=world.owner.headers,
                          query_string=query)
    assert_invalid(response, *query)


def test_the_first_supported_day_is_a_ledger_day(client, world):
    response = client.get(f"{API}/stores/{world.store_id}/penalties", headers=world.owner.headers,
                          query_string={"from": "1970-01-01", "to": "1970-01-30"})
    assert response.status_code == 200, response.get_data(as_text=True)


# --- ids beyond the database's integer ------------------------------------------------------

BEYOND = 2**31  # one past PostgreSQL's integer


@pytest.mark.parametrize(("method", "path"), [
    ("get", f"/stores/{BEYOND}"), ("get", f"/stores/{BEYOND}/penalties"),
    ("post", f"/stores/{BEYOND}/negotiation/revoke"), ("get", f"/cards/{BEYOND}"),
    ("post", f"/cards/{BEYOND}/accept"), ("get", f"/delay-reports/{BEYOND}"),
    ("get", f"/delay-reports/1/evidence/{BEYOND}"), ("get", "/stores/0"),
    ("get", f"/stores/{2**31 - 1}")])
def test_an_id_the_database_cannot_hold_names_nothing(client, world, method, path):
    response = getattr(client, method)(API + path, headers=world.admin_headers)
    assert_problem(response, 404, "not_found")


# --- bodies that are not JSON ---------------------------------------------------------------

NOT_JSON = [
    {"data": "note=no", "content_type": "application/x-www-form-urlencoded"},
    {"data": "no thanks", "content_type": "text/plain"},
    {"data": "<note>no</note>", "content_type": "application/xml"},
    {"data": {"note": "no"}},  # multipart from the test client
    {"data": b'{"note": "no"}', "headers": {"Content-Type": ""}},
]


@pytest.mark.parametrize("sent", NOT_JSON)
def test_a_rejection_whose_body_is_not_json_is_refused_and_the_card_stays_pending(
        client, world, order_o1, sent):
    pending = sent_card(client, world)
    headers = {**world.buyer.headers, **sent.pop("headers", {})}
    response = client.post(f"{API}/cards/{pending['id']}/reject", headers=headers, **sent)
    assert_problem(response, 415, "unsupported_media_type")
    assert card(client, world.buyer, pending["id"])["state"] == "pending"


@pytest.mark.parametrize("sent", NOT_JSON)
def test_an_approval_whose_body_is_not_json_is_refused_and_the_report_stays_pending(
        client, world, order_o1, sent):
    filed = file_shipment(client, world.owner, "O-1", latest=START.replace(day=25))
    assert filed.status_code == 201, filed.get_data(as_text=True)
    report_id = filed.get_json()["id"]
    headers = {**world.reviewer.headers, **sent.pop("headers", {})}
    response = client.post(f"{API}/delay-reports/{report_id}/approve", headers=headers, **sent)
    assert_problem(response, 415, "unsupported_media_type")
    assert report(client, world.reviewer, report_id)["status"] == "pending_review"


def test_a_rejection_with_no_body_at_all_is_still_an_answer(client, world, order_o1):
    pending = sent_card(client, world)
    response = client.post(f"{API}/cards/{pending['id']}/reject", headers=world.buyer.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["state"] == "rejected"


# --- multipart ------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_extra_field_beside_the_evidence_file_is_refused_naming_it(client, world, order_o1):
    report_id = file_shipment(client, world.owner, "O-1",
                              latest=START.replace(day=25)).get_json()["id"]
    body, mimetype = multipart(PNG, "photo.png", "image/png")
    boundary = mimetype.split("boundary=")[1]
    extra = (f'--{boundary}\r\nContent-Disposition: form-data; name="uploaded_by"\r\n\r\n'
             "7\r\n").encode()
    response = client.post(f"{API}/delay-reports/{report_id}/evidence",
                           headers=world.owner.headers, data=extra + body, content_type=mimetype)
    assert_invalid(response, "uploaded_by")
    assert report(client, world.owner, report_id)["evidence"] == []


def test_evidence_sent_as_text_rather_than_a_file_is_refused(client, world, order_o1):
    report_id = file_shipment(client, world.owner, "O-1",
                              latest=START.replace(day=25)).get_json()["id"]
    response = client.post(f"{API}/delay-reports/{report_id}/evidence",
                           headers=world.owner.headers, data={"file": "not a file"})
    assert_invalid(response, "file")


# --- the configured admin token -------------------------------------------------------------


@pytest.mark.parametrize("value", ["123456", "true", "1e3", "[1]", "null", "", "short",
                                   "has a space in it somewhere", "tab\tinside-a-long-token"])
def test_an_unusable_admin_token_stops_the_app_at_start_with_a_clear_message(
        monkeypatch, database_url, value):
    monkeypatch.setenv("NEGOTIATION_ADMIN_TOKEN", value)
    with pytest.raises(ConfigurationError, match="NEGOTIATION_ADMIN_TOKEN"):
        create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x"})


@pytest.mark.parametrize("value", ["12345678901234567890", "1e300000000000000000",
                                   "0000000000000000", "nullnullnullnull"])
def test_an_admin_token_that_looks_like_json_is_read_as_the_text_it_is(
        monkeypatch, database_url, value):
    monkeypatch.setenv("NEGOTIATION_ADMIN_TOKEN", value)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x"})
    try:
        client = app.test_client()
        ok = client.get(f"{API}/accounts/me", headers={"Authorization": f"Bearer {value}"})
        assert ok.status_code == 200, ok.get_data(as_text=True)
        assert ok.get_json()["role"] == "admin"
        other = client.get(f"{API}/accounts/me", headers={"Authorization": "Bearer nope"})
        assert_problem(other, 401, "unauthenticated")
    finally:
        app.extensions["negotiation"].engine.dispose()


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["a\x00b", "tab\there", "x" * 201, "é-ключ"])
def test_an_idempotency_key_no_database_can_keep_verbatim_is_refused_naming_it(
        client, world, order_o1, key):
    before = snapshot(client, world)
    headers = {**world.owner.headers, "Idempotency-Key": key}
    response = client.post(f"{API}/orders/O-1/negotiation/cards", headers=headers, json=CARD)
    assert_invalid(response, "Idempotency-Key")
    assert snapshot(client, world) == before
