"""``Idempotency-Key`` on POST: a retry replays the first answer; keys belong to their caller."""

from datetime import timedelta

from sqlalchemy import text

from tests.api.helpers import (
    API,
    accept,
    assert_problem,
    event_types,
    iso,
    negotiation,
    propose,
    reject,
    sent_card,
)
from tests.api.report_helpers import make_app
from tests.conftest import START


def keyed(actor, key):
    return {**actor.headers, "Idempotency-Key": key}


def test_a_retried_proposal_replays_the_first_answer_and_sends_one_card(client, world):
    world.order("O-1")
    headers = keyed(world.owner, "send-card-1")
    first = propose(client, world, headers=headers)
    retry = propose(client, world, headers=headers)

    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.mimetype == "application/json"
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert negotiation(client, world.owner)["cards_used"] == 1
    assert event_types(client, world.owner).count("card.sent") == 1


def test_a_retried_error_is_replayed_even_after_the_situation_changed(client, world):
    world.order("O-1")
    pending = sent_card(client, world)
    headers = keyed(world.owner, "send-card-2")
    first = propose(client, world, days=6, headers=headers)
    assert_problem(first, 409, "card_pending")

    assert reject(client, world.buyer, pending["id"]).status_code == 200
    retry = propose(client, world, days=6, headers=headers)
    assert_problem(retry, 409, "card_pending")
    assert retry.get_json() == first.get_json()
    assert negotiation(client, world.owner)["cards_used"] == 1

    fresh = propose(client, world, days=6, headers=keyed(world.owner, "send-card-3"))
    assert fresh.status_code == 201, fresh.json


def test_a_retried_validation_error_is_replayed(client, world):
    world.order("O-1")
    headers = keyed(world.owner, "bad-date")
    first = propose(client, world, at=START, headers=headers)
    retry = propose(client, world, at=START, headers=headers)
    assert_problem(retry, 422, "proposal_out_of_range")
    assert retry.get_json() == first.get_json()


def test_a_retried_acceptance_replays_200_instead_of_card_not_pending(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    headers = keyed(world.buyer, "yes-please")
    first = client.post(f"{API}/cards/{sent['id']}/accept", headers=headers)
    retry = client.post(f"{API}/cards/{sent['id']}/accept", headers=headers)
    assert first.status_code == retry.status_code == 200
    assert retry.get_json() == first.get_json()
    assert event_types(client, world.buyer).count("card.accepted") == 1

    without_key = accept(client, world.buyer, sent["id"])
    assert_problem(without_key, 409, "card_not_pending")


def test_a_retried_order_creation_replays_the_created_order(client, world):
    body = {"order_no": "N-1", "store_id": world.store_id, "buyer_id": world.buyer.id,
            "amount": "10.00", "paid_at": "2026-11-22T00:00:00Z"}
    headers = {**world.admin_headers, "Idempotency-Key": "order-N-1"}
    first = client.post(f"{API}/orders", headers=headers, json=body)
    retry = client.post(f"{API}/orders", headers=headers, json=body)
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()


def test_the_same_key_with_a_different_body_is_refused_and_does_nothing(client, world):
    world.order("O-1")
    world.order("O-2")
    headers = keyed(world.owner, "reused")
    assert propose(client, world, "O-1", days=5, headers=headers).status_code == 201

    other_date = propose(client, world, "O-1", days=6, headers=headers)
    assert_problem(other_date, 422, "idempotency_key_reused")
    other_order = propose(client, world, "O-2", days=5, headers=headers)
    assert_problem(other_order, 422, "idempotency_key_reused")
    assert negotiation(client, world.owner, "O-2")["cards_used"] == 0


def test_the_same_key_on_a_different_endpoint_is_refused(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    headers = keyed(world.owner, "one-key")
    assert client.post(f"{API}/cards/{sent['id']}/withdraw", headers=headers).status_code == 200
    response = client.post(f"{API}/orders/O-1/shipments", headers=headers,
                           json={"carrier": "SF", "tracking_no": "SF1234567"})
    assert_problem(response, 422, "idempotency_key_reused")
    assert negotiation(client, world.owner)["state"] == "open"  # not shipped


def test_keys_belong_to_their_caller(client, world):
    world.order("O-1")
    world.order("O-2")
    by_owner = propose(client, world, "O-1", headers=keyed(world.owner, "shared-key"))
    by_agent = propose(client, world, "O-2", days=6, headers=keyed(world.agent, "shared-key"))
    assert by_owner.status_code == by_agent.status_code == 201
    assert by_owner.json["id"] != by_agent.json["id"]


def test_another_callers_identical_request_is_not_a_replay_of_mine(client, world):
    world.order("O-1")
    mine = propose(client, world, headers=keyed(world.owner, "k"))
    assert mine.status_code == 201
    theirs = propose(client, world, headers=keyed(world.agent, "k"))
    assert_problem(theirs, 409, "card_pending")


def test_a_key_is_kept_for_at_least_24_hours_even_across_a_sweep(client, world, clock, runner):
    world.order("O-1")
    headers = keyed(world.owner, "day-old")
    first = propose(client, world, headers=headers)
    clock.set(START + timedelta(hours=24))
    assert runner.invoke(args=["sweep"]).exit_code == 0

    retry = propose(client, world, headers=headers)
    assert retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert negotiation(client, world.owner)["cards_used"] == 1


def test_an_overlong_key_is_refused(client, world):
    world.order("O-1")
    response = propose(client, world, headers=keyed(world.owner, "k" * 201))
    assert_problem(response, 422, "validation_error")
    assert negotiation(client, world.owner)["cards_used"] == 0


# --- a first request that never finished -----------------------------------------------

LEASE = timedelta(seconds=60)  # the app's default IDEMPOTENCY_LEASE_SECONDS


def reserved_by_a_request_that_died(app, world, key):
    """Reserve ``key`` for the proposal ``propose`` sends, as a request whose process
    then died."""
    from negotiation.api import _request_digest
    from negotiation.runtime import Runtime
    from negotiation.services.core import idempotency

    path = f"{API}/orders/O-1/negotiation/cards"
    body = {"proposed_ship_by": iso(START + timedelta(days=5)), "reason": "custom_made"}
    with app.test_request_context(path, method="POST", json=body):
        runtime: Runtime = app.extensions["negotiation"]
        assert idempotency.reserve(runtime.uow(), str(world.owner.id), key, _request_digest(),
                                   lease=LEASE) is None


def test_a_key_still_held_answers_in_progress_with_when_to_retry(app, client, world, clock):
    world.order("O-1")
    reserved_by_a_request_that_died(app, world, "died-1")
    clock.advance(LEASE - timedelta(seconds=1))
    held = propose(client, world, headers=keyed(world.owner, "died-1"))
    assert_problem(held, 409, "idempotency_key_in_progress")
    assert held.headers["Retry-After"] == "1"
    assert negotiation(client, world.owner)["cards_used"] == 0


def test_a_retry_takes_over_a_key_whose_request_died_once_its_lease_is_over(
        app, client, world, clock):
    world.order("O-1")
    reserved_by_a_request_that_died(app, world, "died-2")
    clock.advance(LEASE)
    headers = keyed(world.owner, "died-2")
    taken = propose(client, world, headers=headers)
    assert taken.status_code == 201, taken.json
    again = propose(client, world, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == taken.get_json()
    assert negotiation(client, world.owner)["cards_used"] == 1


# --- what a stored answer gives away ----------------------------------------------------


def stored_answers(rt) -> list[str]:
    with rt.engine.connect() as connection:
        return list(connection.execute(text(
            "SELECT response_body FROM idempotency_keys WHERE response_body IS NOT NULL"))
            .scalars())


def test_a_replayed_new_key_is_the_same_key_yet_the_database_holds_no_trace_of_it(
        client, world, rt):
    headers = keyed(world.owner, "new-key-1")
    first = client.post(f"{API}/accounts/{world.owner.id}/keys", headers=headers,
                        json={"name": "chat-tool"})
    retry = client.post(f"{API}/accounts/{world.owner.id}/keys", headers=headers,
                        json={"name": "chat-tool"})
    assert first.status_code == retry.status_code == 201, first.get_data(as_text=True)
    assert retry.get_json()["key"] == first.get_json()["key"]
    assert retry.headers.get("Idempotent-Replayed") == "true"
    answers = stored_answers(rt)
    assert len(answers) == 1
    assert first.get_json()["key"] not in answers[0]
    assert "chat-tool" not in answers[0]  # sealed whole, not just the secret


def test_a_new_accounts_token_is_not_kept_in_clear_for_its_replay(client, world, rt):
    headers = {**world.admin_headers, "Idempotency-Key": "new-account-1"}
    body = {"role": "buyer", "name": "buyer two"}
    first = client.post(f"{API}/accounts", headers=headers, json=body)
    retry = client.post(f"{API}/accounts", headers=headers, json=body)
    assert retry.get_json() == first.get_json()
    assert all(first.get_json()["token"] not in answer for answer in stored_answers(rt))


def test_an_answer_sealed_under_another_secret_key_is_refused_not_run_again(
        database_url, clock, tmp_path, world):
    world.order("O-1")
    headers = keyed(world.owner, "send-card-2")
    before = make_app(database_url, clock, tmp_path, SECRET_KEY="the first secret")
    assert propose(before.test_client(), world, headers=headers).status_code == 201
    after = make_app(database_url, clock, tmp_path, SECRET_KEY="the second secret")
    try:
        retry = propose(after.test_client(), world, headers=headers)
        assert_problem(retry, 422, "idempotency_key_reused")
        assert negotiation(after.test_client(), world.owner)["cards_used"] == 1
    finally:
        for app in (before, after):
            app.extensions["negotiation"].engine.dispose()
