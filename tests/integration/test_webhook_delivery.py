"""Webhook delivery against a real receiver on 127.0.0.1: signed, at least once, retried on
the schedule with the clock moved until the endpoint is disabled, one slow receiver never
holding up the others, and deliveries written with their events or not at all."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta

import pytest
from standardwebhooks import Webhook

from negotiation.domain.retries import DEFAULT_DELAYS
from tests.api.helpers import accept, propose, sent_card
from tests.webhook_support import (
    API,
    ENDPOINTS,
    deliveries,
    delivery_rows,
    event_count,
    run_once,
    served_in_feed,
    subscribe,
    worker,
)


def test_each_event_arrives_signed_with_its_id_and_the_feeds_shape(client, world, rt, receiver):
    world.order("O-1")
    endpoint = subscribe(client, world.owner, receiver.url, ["card.*", "negotiation.*"])
    card = sent_card(client, world)
    assert accept(client, world.buyer, card["id"]).status_code == 200

    report = run_once(rt)

    assert report.delivered == 3 and report.failed == 0
    arrived = receiver.received
    payloads = [Webhook(endpoint["secret"]).verify(r.body, r.headers) for r in arrived]
    assert sorted(p["type"] for p in payloads) == ["card.accepted", "card.sent",
                                                   "negotiation.agreed"]
    for item, payload in zip(arrived, payloads, strict=True):
        assert item.headers["webhook-id"] == str(payload["id"])
        assert item.headers["content-type"] == "application/json"
        in_feed = client.get(f"{API}/events/{payload['id']}", headers=world.owner.headers)
        assert payload == in_feed.get_json()
    assert {d["state"] for d in deliveries(client, world.owner, endpoint["id"])} == {
        "delivered"}


def test_a_tampered_body_or_another_secret_does_not_verify(client, world, rt, receiver):
    world.order("O-1")
    endpoint = subscribe(client, world.owner, receiver.url, ["card.sent"])
    other = subscribe(client, world.owner, receiver.url_for("/other"), ["order.created"])
    sent_card(client, world)
    run_once(rt)
    (item,) = receiver.received
    with pytest.raises(Exception, match="signature"):
        Webhook(other["secret"]).verify(item.body, item.headers)
    tampered = item.body.replace(b'"card.sent"', b'"card.accepted"')
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoint["secret"]).verify(tampered, item.headers)


def test_only_subscribed_types_and_only_the_stores_own_events_go_out(client, world, rt,
                                                                      receiver):
    from negotiation.domain.enums import Role
    from negotiation.services.accounts import stores
    from tests.conftest import ADMIN

    other_store = stores.create_store(rt.uow(), ADMIN, name="Other", region="Zhejiang").id
    other_owner = world.actor(Role.OWNER, "other owner", other_store)
    world.order("O-1")
    world.order("X-1", store_id=other_store)
    mine = subscribe(client, world.owner, receiver.url_for("/mine"), ["card.sent"])
    theirs = subscribe(client, other_owner, receiver.url_for("/theirs"), ["*"])
    platform = subscribe(client, world.reviewer, receiver.url_for("/platform"), ["card.*"])
    sent_card(client, world)  # store 1's card

    run_once(rt)

    by_path: dict[str, list[str]] = {}
    for item in receiver.received:
        by_path.setdefault(item.path, []).append(json.loads(item.body)["type"])
    assert by_path == {"/mine": ["card.sent"], "/platform": ["card.sent"]}
    assert deliveries(client, other_owner, theirs["id"]) == []
    # Another store's owner cannot read store 1's endpoint or its deliveries.
    for path in (f"{ENDPOINTS}/{mine['id']}", f"{ENDPOINTS}/{mine['id']}/deliveries"):
        assert client.get(path, headers=other_owner.headers).status_code == 404
    assert client.get(f"{ENDPOINTS}/{platform['id']}",
                      headers=world.owner.headers).status_code == 404


def test_a_refused_action_writes_no_delivery_and_every_event_has_its_own(client, world, rt,
                                                                          receiver):
    world.order("O-1")
    subscribe(client, world.owner, receiver.url, ["*"])
    subscribe(client, world.reviewer, receiver.url_for("/platform"), ["*"])
    sent_card(client, world)
    refused = propose(client, world, days=6)  # a card is pending: refused
    assert refused.status_code == 409

    rows = delivery_rows(rt)
    # order.created came before the endpoints; card.sent is owed to both, once each.
    assert event_count(rt, "card.sent") == 1
    assert len(rows) == 2 and len({(r.endpoint_id, r.event_id) for r in rows}) == 2


def test_failures_follow_the_schedule_to_the_second_then_the_endpoint_is_disabled(
        client, world, rt, clock, receiver):
    world.order("O-1")
    receiver.answer(500, b"down for maintenance")
    endpoint = subscribe(client, world.owner, receiver.url, ["card.sent"])
    sent_card(client, world)

    run_once(rt)  # the first attempt
    for attempt, delay in enumerate(DEFAULT_DELAYS, start=2):
        clock.advance(timedelta(seconds=delay) - timedelta(seconds=1))
        run_once(rt)
        assert len(receiver.received) == attempt - 1, f"attempt {attempt} came early"
        clock.advance(timedelta(seconds=1))
        run_once(rt)
        assert len(receiver.received) == attempt, f"attempt {attempt} did not come"

    (delivery,) = deliveries(client, world.owner, endpoint["id"])
    assert delivery["state"] == "failed" and delivery["attempt"] == len(DEFAULT_DELAYS) + 1
    assert [a["status_code"] for a in delivery["attempts"]] == [500] * (len(DEFAULT_DELAYS) + 1)
    assert delivery["response"] == "down for maintenance"
    assert sum(DEFAULT_DELAYS) >= 3 * 24 * 3600
    now = client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=world.owner.headers).get_json()
    assert now["enabled"] is False and "500" in now["disabled_reason"]

    feed = served_in_feed(client, world.owner, "webhook_endpoint.disabled")
    assert [e["data"]["endpoint_id"] for e in feed] == [endpoint["id"]]
    assert feed[0]["order_no"] is None
    for outsider in (world.buyer,):
        assert client.get(f"{API}/events/{feed[0]['id']}",
                          headers=outsider.headers).status_code == 404
    # Disabled, it is sent nothing more, and nothing new is owed to it.
    clock.advance(timedelta(days=1))
    world.order("O-2")
    sent_card(client, world, "O-2", at=clock.now() + timedelta(days=3))
    run_once(rt)
    assert len(receiver.received) == len(DEFAULT_DELAYS) + 1


def test_the_jitter_only_stretches_the_delay_and_by_at_most_its_share(client, world, rt,
                                                                       clock, receiver):
    world.order("O-1")
    receiver.answer(503)
    endpoint = subscribe(client, world.owner, receiver.url, ["card.sent"])
    sent_card(client, world)
    run_once(rt, jitter=0.999)
    (delivery,) = deliveries(client, world.owner, endpoint["id"])
    share = rt.webhooks.schedule.jitter
    waited = (_instant(delivery["next_attempt_at"]) - clock.now()).total_seconds()
    assert DEFAULT_DELAYS[0] < waited <= DEFAULT_DELAYS[0] * (1 + share)


def test_a_retry_now_and_a_replay_send_again(client, world, rt, clock, receiver):
    world.order("O-1")
    receiver.answer(500)
    endpoint = subscribe(client, world.owner, receiver.url, ["card.*"])
    sent_card(client, world)
    run_once(rt)
    (failed,) = deliveries(client, world.owner, endpoint["id"])
    assert failed["state"] == "pending" and failed["attempt"] == 1

    receiver.answer(200)
    retried = client.post(f"{ENDPOINTS}/{endpoint['id']}/deliveries/{failed['id']}/retry",
                          headers=world.owner.headers)
    assert retried.status_code == 202 and retried.get_json()["next_attempt_at"] == _iso(
        clock.now())
    run_once(rt)
    (done,) = deliveries(client, world.owner, endpoint["id"])
    assert done["state"] == "delivered" and done["attempt"] == 2

    replay = client.post(f"{ENDPOINTS}/{endpoint['id']}/replay", headers=world.owner.headers,
                         json={"since": _iso(clock.now() - timedelta(hours=1))})
    assert replay.status_code == 202 and replay.get_json() == {"queued": 1}
    run_once(rt)
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(ids) == 3 and len(set(ids)) == 1  # the same event, for de-duplication


def test_a_replay_covers_events_from_before_the_endpoint_existed(client, world, rt, clock,
                                                                 receiver):
    world.order("O-1")
    sent_card(client, world)
    endpoint = subscribe(client, world.owner, receiver.url, ["card.sent", "order.*"])
    assert run_once(rt).delivered == 0
    replay = client.post(f"{ENDPOINTS}/{endpoint['id']}/replay", headers=world.owner.headers,
                         json={"since": _iso(clock.now() - timedelta(days=1))})
    assert replay.get_json() == {"queued": 2}
    run_once(rt)
    assert sorted(json.loads(r.body)["type"] for r in receiver.received) == [
        "card.sent", "order.created"]


@pytest.mark.parametrize("settings", [{"WEBHOOK_TIMEOUT_SECONDS": 0.5}])
def test_timeouts_redirects_and_refusals_are_failed_attempts_with_their_reason(
        client, world, rt, receiver):
    world.order("O-1")
    receiver.answer(200, delay=2, path="/slow")
    receiver.redirect("http://127.0.0.1:1/elsewhere", path="/moved")
    slow = subscribe(client, world.owner, receiver.url_for("/slow"), ["card.sent"])
    moved = subscribe(client, world.owner, receiver.url_for("/moved"), ["card.sent"])
    sent_card(client, world)
    run_once(rt)
    (timed_out,) = deliveries(client, world.owner, slow["id"])
    (redirected,) = deliveries(client, world.owner, moved["id"])
    assert timed_out["state"] == "pending" and "timed out" in timed_out["error"]
    assert redirected["status_code"] == 302 and "redirect" in redirected["error"]
    assert [r.path for r in receiver.received].count("/moved") == 1


@pytest.mark.parametrize("settings", [{"WEBHOOK_TIMEOUT_SECONDS": 20,
                                       "WEBHOOK_PER_ENDPOINT_CONCURRENCY": 2,
                                       "WEBHOOK_CONCURRENCY": 4}])
def test_a_silent_receiver_holds_only_its_share_of_the_slots(client, world, rt, receiver):
    receiver.silent(path="/silent")
    silent = subscribe(client, world.owner, receiver.url_for("/silent"), ["order.created"])
    fast = subscribe(client, world.owner, receiver.url_for("/fast"), ["order.created"])
    for n in range(10):
        world.order(f"O-{n}")
    w = worker(rt)
    passes = threading.Thread(target=w.run_once)
    passes.start()
    try:
        arrived = receiver.wait_for(12, timeout=15)  # well before the first timeout ends
        assert sum(r.path == "/fast" for r in arrived) == 10
        assert sum(r.path == "/silent" for r in arrived) == 2  # its share, no more
        # ... and all ten are recorded delivered while the silent two still hold theirs.
        until = time.monotonic() + 15
        while {d["state"] for d in deliveries(client, world.owner, fast["id"])} != {
                "delivered"} and time.monotonic() < until:
            time.sleep(0.05)
        assert {d["state"] for d in deliveries(client, world.owner, fast["id"])} == {
            "delivered"}
        assert len(receiver.received) == 12
    finally:
        receiver.close()  # hangs up on the held POSTs: the pass ends without the timeouts
        passes.join(timeout=60)
        w.close()
    assert all(d["state"] == "pending" for d in deliveries(client, world.owner, silent["id"]))


def test_an_endpoint_re_enabled_gets_what_waited(client, world, rt, receiver):
    world.order("O-1")
    endpoint = subscribe(client, world.owner, receiver.url, ["card.sent"])
    paused = client.patch(f"{ENDPOINTS}/{endpoint['id']}", headers=world.owner.headers,
                          json={"enabled": False})
    assert paused.status_code == 200 and paused.get_json()["enabled"] is False
    world.order("O-2")
    # Owed before the pause: waits. Written during it: not owed (a replay fetches it).
    client.patch(f"{ENDPOINTS}/{endpoint['id']}", headers=world.owner.headers,
                 json={"enabled": True})
    sent_card(client, world)
    client.patch(f"{ENDPOINTS}/{endpoint['id']}", headers=world.owner.headers,
                 json={"enabled": False})
    assert run_once(rt).delivered == 0
    client.patch(f"{ENDPOINTS}/{endpoint['id']}", headers=world.owner.headers,
                 json={"enabled": True})
    assert run_once(rt).delivered == 1


def test_rotation_signs_with_both_secrets_for_a_day_then_the_new_one_only(client, world, rt,
                                                                         clock, receiver):
    world.order("O-1")
    world.order("O-2")
    endpoint = subscribe(client, world.owner, receiver.url, ["card.sent"])
    rotated = client.post(f"{ENDPOINTS}/{endpoint['id']}/rotate-secret",
                          headers=world.owner.headers)
    assert rotated.status_code == 200
    new = rotated.get_json()
    assert new["secret"] != endpoint["secret"] and new["secret"].startswith("whsec_")
    assert new["previous_secret_retires_at"] == _iso(clock.now() + timedelta(hours=24))
    sent_card(client, world, "O-1")
    run_once(rt)
    first = receiver.received[-1]
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    for secret in (endpoint["secret"], new["secret"]):
        Webhook(secret).verify(first.body, first.headers)

    clock.advance(timedelta(hours=24))
    sent_card(client, world, "O-2")
    run_once(rt)
    last = receiver.received[-1]
    Webhook(new["secret"]).verify(last.body, last.headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoint["secret"]).verify(last.body, last.headers)


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("settings", [{"WEBHOOK_CONCURRENCY": 16}])
def test_work_is_taken_once_7_in_8_of_the_turning_slots_are_free(rt):
    w = worker(rt)  # polls every 0.05 s
    try:
        now = 100.0

        def in_flight(recent: int, old: int) -> dict:
            return {object(): (None, now - 0.01) for _ in range(recent)} | {
                object(): (None, now - 0.06) for _ in range(old)}

        assert w._worth_a_turn({}, now) == 14  # 16 free: a turn
        assert w._worth_a_turn(in_flight(2, 0), now) == 14  # 14 free: a turn
        assert w._worth_a_turn(in_flight(3, 0), now) == 14  # 13 free: not yet
        # Four held by a silent receiver for over a poll: 7 in 8 of the other twelve.
        assert w._worth_a_turn(in_flight(0, 4), now) == 10
        assert w._worth_a_turn(in_flight(0, 16), now) == 1  # nothing turns: any room
    finally:
        w.close()
