"""The API contract of webhook endpoints over HTTP: who may manage which, what an endpoint
looks like, its secret shown once and sealed at rest, the input refused (URLs that reach
our own network included), updates, deletion, rotation, idempotent creation, the
deliveries listing and the OpenAPI description. Delivery itself, its retry schedule,
replays and rotation signing are in tests/integration/test_webhook_delivery.py."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models import WebhookSecret
from negotiation.api.schemas.notifications import SUBSCRIBABLE
from negotiation.domain.enums import Role
from negotiation.services.accounts import stores
from negotiation.services.notifications.endpoints import PURGE_AFTER, purge_deleted_endpoints
from tests.api.helpers import assert_invalid, assert_problem, iso, same_problem
from tests.conftest import ADMIN, START
from tests.webhook_support import API, ENDPOINTS, deliveries, delivery_rows, run_once, subscribe

HOOK = "http://127.0.0.1:9/hook"  # never called: these tests do not run the worker
PUBLIC = "https://93.184.216.34/hook"  # an IP literal: this machine has no DNS
PUBLIC_ONLY = {"WEBHOOK_ALLOW_PRIVATE_URLS": False}
MISSING = 99999
FIELDS = {"id", "store_id", "url", "event_types", "description", "enabled", "disabled_reason",
          "created_at", "updated_at", "previous_secret_retires_at"}


def create(client: Any, actor: Any, headers: dict[str, str] | None = None,
           **body: Any) -> Any:
    return client.post(ENDPOINTS, headers=headers or actor.headers,
                       json={"url": HOOK, "event_types": ["*"], **body})


def listed(client: Any, actor: Any, headers: dict[str, str] | None = None) -> list[dict]:
    response = client.get(ENDPOINTS, headers=headers or actor.headers,
                          query_string={"limit": 100})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def read(client: Any, actor: Any, endpoint_id: int) -> dict[str, Any]:
    response = client.get(f"{ENDPOINTS}/{endpoint_id}", headers=actor.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def patch(client: Any, actor: Any, endpoint_id: int, **body: Any) -> Any:
    return client.patch(f"{ENDPOINTS}/{endpoint_id}", headers=actor.headers, json=body)


def sealed_secrets(rt: Any, endpoint_id: int) -> list[str]:
    with rt.sessions() as session:
        return list(session.scalars(select(WebhookSecret.sealed)
                                    .where(WebhookSecret.endpoint_id == endpoint_id)
                                    .order_by(WebhookSecret.id)))


@pytest.fixture
def outsider(world, rt):
    """The owner of another store."""
    other = stores.create_store(rt.uow(), ADMIN, name="Other store", region="Zhejiang")
    return world.actor(Role.OWNER, "other owner", other.id)


# --- creating, and what an endpoint looks like ------------------------------------------


def test_an_owner_creates_its_stores_endpoint_and_sees_the_secret_once(client, world):
    response = create(client, world.owner, event_types=["card.*"], description="客服工具")

    assert response.status_code == 201, response.get_data(as_text=True)
    made = response.get_json()
    assert set(made) == FIELDS | {"secret"}
    assert made["store_id"] == world.store_id and made["url"] == HOOK
    assert made["event_types"] == ["card.*"] and made["description"] == "客服工具"
    assert made["enabled"] is True and made["disabled_reason"] is None
    assert made["created_at"] == made["updated_at"] == iso(START)
    assert made["previous_secret_retires_at"] is None
    assert made["secret"].startswith("whsec_")
    assert len(base64.b64decode(made["secret"].removeprefix("whsec_"), validate=True)) == 32
    # Never again: neither the list nor a read shows it.
    (item,) = listed(client, world.owner)
    one = read(client, world.owner, made["id"])
    assert set(item) == set(one) == FIELDS
    assert item == one == {k: v for k, v in made.items() if k != "secret"}


def test_the_description_defaults_to_empty(client, world):
    assert create(client, world.owner).get_json()["description"] == ""


def test_the_secret_is_stored_sealed_not_in_plain_text(client, world, rt):
    made = create(client, world.owner).get_json()
    (sealed,) = sealed_secrets(rt, made["id"])
    key = made["secret"].removeprefix("whsec_")
    assert key not in sealed and made["secret"] not in sealed
    assert rt.webhook_seal.open(sealed) == made["secret"]  # and yet it can sign


def test_each_endpoint_gets_its_own_secret(client, world):
    first = create(client, world.owner).get_json()
    second = create(client, world.owner).get_json()
    assert first["id"] != second["id"] and first["secret"] != second["secret"]


# --- roles and scope --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent", "buyer"])
def test_agents_and_buyers_may_not_create_or_list_endpoints(client, world, who):
    actor = getattr(world, who)
    assert_problem(create(client, actor), 403, "forbidden")
    assert_problem(client.get(ENDPOINTS, headers=actor.headers), 403, "forbidden")
    assert listed(client, world.owner) == []


def test_an_agent_may_not_read_or_change_its_own_stores_endpoint(client, world):
    made = create(client, world.owner).get_json()
    path = f"{ENDPOINTS}/{made['id']}"
    assert_problem(client.get(path, headers=world.agent.headers), 403, "forbidden")
    assert_problem(client.patch(path, headers=world.agent.headers, json={"enabled": False}),
                   403, "forbidden")
    assert_problem(client.delete(path, headers=world.agent.headers), 403, "forbidden")
    assert_problem(client.post(f"{path}/rotate-secret", headers=world.agent.headers),
                   403, "forbidden")
    assert read(client, world.owner, made["id"]) == {
        k: v for k, v in made.items() if k != "secret"}


def test_reviewers_and_admins_create_shared_platform_endpoints(client, world):
    by_reviewer = create(client, world.reviewer)
    by_admin = create(client, None, headers=world.admin_headers)
    assert by_reviewer.status_code == by_admin.status_code == 201
    assert by_reviewer.get_json()["store_id"] is None
    assert by_admin.get_json()["store_id"] is None
    ids = [by_reviewer.get_json()["id"], by_admin.get_json()["id"]]
    assert [e["id"] for e in listed(client, world.reviewer)] == ids
    assert [e["id"] for e in listed(client, None, headers=world.admin_headers)] == ids
    assert read(client, world.reviewer, ids[1])["id"] == ids[1]  # the admin's, shared


def test_each_list_holds_only_its_scopes_endpoints(client, world, outsider):
    mine = create(client, world.owner).get_json()["id"]
    theirs = create(client, outsider).get_json()["id"]
    platform = create(client, world.reviewer).get_json()["id"]
    assert [e["id"] for e in listed(client, world.owner)] == [mine]
    assert [e["id"] for e in listed(client, outsider)] == [theirs]
    assert [e["id"] for e in listed(client, world.reviewer)] == [platform]


def test_the_endpoint_list_pages_with_a_cursor(client, world):
    ids = [create(client, world.owner).get_json()["id"] for _ in range(3)]
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(ENDPOINTS, headers=world.owner.headers,
                          query_string=query).get_json()
        seen += [e["id"] for e in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == ids


# --- another's endpoint answers as absent (BOLA) ----------------------------------------

OPERATIONS = [
    ("get", "{e}", None),
    ("patch", "{e}", {"description": "taken over"}),
    ("delete", "{e}", None),
    ("post", "{e}/rotate-secret", None),
    ("get", "{e}/deliveries", None),
    ("post", "{e}/deliveries/{d}/retry", None),
    ("post", "{e}/replay", {"since": iso(START - timedelta(hours=1))}),
]
OPERATION_IDS = [f"{method} {path}" for method, path, _ in OPERATIONS]


def _call(client: Any, actor: Any, method: str, path: str, body: Any, endpoint_id: int,
          delivery_id: int) -> Any:
    url = f"{ENDPOINTS}/{path.format(e=endpoint_id, d=delivery_id)}"
    kwargs = {"json": body} if body is not None else {}
    return getattr(client, method)(url, headers=actor.headers, **kwargs)


def _with_a_delivery(client: Any, world: Any, actor: Any) -> tuple[dict, int]:
    """An endpoint of ``actor``'s scope with one delivery owed to it."""
    endpoint = subscribe(client, actor, HOOK, ["order.created"])
    world.order(f"O-{endpoint['id']}")
    (delivery,) = deliveries(client, actor, endpoint["id"])
    return endpoint, delivery["id"]


def _hidden_as_missing(client: Any, actor: Any, op: tuple, endpoint_id: int,
                       delivery_id: int) -> None:
    method, path, body = op
    hidden = _call(client, actor, method, path, body, endpoint_id, delivery_id)
    missing = _call(client, actor, method, path, body, MISSING, delivery_id)
    assert_problem(missing, 404, "not_found")
    assert_problem(hidden, 404, "not_found")
    assert same_problem(hidden.get_json()) == {
        **same_problem(missing.get_json()),
        "detail": missing.get_json()["detail"].replace(str(MISSING), str(endpoint_id))}


@pytest.mark.parametrize("op", OPERATIONS, ids=OPERATION_IDS)
def test_another_stores_owner_finds_no_endpoint_and_changes_nothing(client, world, rt,
                                                                   outsider, op):
    endpoint, delivery_id = _with_a_delivery(client, world, world.owner)
    before_deliveries = deliveries(client, world.owner, endpoint["id"])

    _hidden_as_missing(client, outsider, op, endpoint["id"], delivery_id)

    assert read(client, world.owner, endpoint["id"]) == {
        k: v for k, v in endpoint.items() if k != "secret"}
    assert deliveries(client, world.owner, endpoint["id"]) == before_deliveries
    assert len(sealed_secrets(rt, endpoint["id"])) == 1


@pytest.mark.parametrize("op", OPERATIONS, ids=OPERATION_IDS)
def test_a_reviewer_finds_no_store_endpoint_and_an_owner_no_platform_one(client, world, op):
    stores_endpoint, stores_delivery = _with_a_delivery(client, world, world.owner)
    platform, platform_delivery = _with_a_delivery(client, world, world.reviewer)

    _hidden_as_missing(client, world.reviewer, op, stores_endpoint["id"], stores_delivery)
    _hidden_as_missing(client, world.owner, op, platform["id"], platform_delivery)

    assert read(client, world.owner, stores_endpoint["id"])["description"] == ""
    assert read(client, world.reviewer, platform["id"])["description"] == ""


# --- input refused ----------------------------------------------------------------------

TOO_MANY = [*SUBSCRIBABLE, *SUBSCRIBABLE][:51]


@pytest.mark.parametrize(("body", "field"), [
    ({"event_types": ["*"]}, "url"),
    ({"url": "ftp://x", "event_types": ["*"]}, "url"),
    ({"url": "http://127.0.0.1/".ljust(2049, "a"), "event_types": ["*"]}, "url"),
    ({"url": HOOK}, "event_types"),
    ({"url": HOOK, "event_types": []}, "event_types"),
    ({"url": HOOK, "event_types": ["card.*", "card.exploded"]}, "event_types.1"),
    ({"url": HOOK, "event_types": ["nope.*"]}, "event_types.0"),
    ({"url": HOOK, "event_types": TOO_MANY}, "event_types"),
    ({"url": HOOK, "event_types": "*"}, "event_types"),
    ({"url": HOOK, "event_types": ["*"], "description": "x" * 501}, "description"),
    ({"url": HOOK, "event_types": ["*"], "description": "ring\x07the bell"}, "description"),
    ({"url": HOOK, "event_types": ["*"], "store_id": 2}, "store_id"),
], ids=["no url", "ftp", "url of 2049", "no types", "empty types", "unknown type",
        "unknown family", "51 patterns", "types not a list", "description of 501",
        "control character", "store_id"])
def test_a_create_with_bad_input_names_the_field_and_creates_nothing(client, world, body,
                                                                     field):
    assert_invalid(client.post(ENDPOINTS, headers=world.owner.headers, json=body), field)
    assert listed(client, world.owner) == []


def test_the_limits_themselves_are_accepted_and_types_deduplicated(client, world):
    url = "http://127.0.0.1/".ljust(2048, "a")
    fifty = [*SUBSCRIBABLE, *SUBSCRIBABLE][:50]
    response = create(client, world.owner, url=url, event_types=fifty, description="x" * 500)
    assert response.status_code == 201, response.get_data(as_text=True)
    made = response.get_json()
    assert len(made["url"]) == 2048 and len(made["description"]) == 500
    assert made["event_types"] == SUBSCRIBABLE  # once each, in the order given


@pytest.mark.parametrize("body", [
    {"enabled": "yes"}, {"enabled": 1}, {"enabled": "false"}, {"enabled": None},
], ids=["yes", "one", "false as text", "null"])
def test_a_patch_takes_only_a_json_boolean_for_enabled(client, world, body):
    made = create(client, world.owner).get_json()
    assert_invalid(patch(client, world.owner, made["id"], **body), "enabled")
    assert read(client, world.owner, made["id"])["enabled"] is True


@pytest.mark.parametrize(("body", "field"), [
    ({"store_id": 2}, "store_id"),
    ({"secret": "whsec_bWluZQ=="}, "secret"),
    ({"event_types": []}, "event_types"),
    ({"event_types": ["card.exploded"]}, "event_types.0"),
    ({"url": "ftp://x"}, "url"),
    ({"description": "a\x00b"}, "description"),
], ids=["store_id", "secret", "empty types", "unknown type", "ftp", "nul"])
def test_a_patch_with_bad_or_unknown_fields_names_them_and_changes_nothing(client, world,
                                                                          body, field):
    made = create(client, world.owner).get_json()
    assert_invalid(patch(client, world.owner, made["id"], **body), field)
    assert read(client, world.owner, made["id"]) == {
        k: v for k, v in made.items() if k != "secret"}


def test_a_replay_since_the_future_or_beyond_30_days_is_refused(client, world, clock):
    made = create(client, world.owner).get_json()
    path = f"{ENDPOINTS}/{made['id']}/replay"

    def replay(since: Any) -> Any:
        return client.post(path, headers=world.owner.headers, json={"since": iso(since)})

    assert_invalid(replay(clock.now() + timedelta(seconds=1)), "since")
    assert_invalid(replay(clock.now() - timedelta(days=30, seconds=1)), "since")
    assert replay(clock.now() - timedelta(days=30)).status_code == 202
    assert replay(clock.now()).status_code == 202
    assert_invalid(client.post(path, headers=world.owner.headers, json={}), "since")


def test_a_body_that_is_not_json_is_refused_with_415(client, world):
    form = client.post(ENDPOINTS, headers=world.owner.headers,
                       data={"url": HOOK, "event_types": "*"})
    assert_problem(form, 415, "unsupported_media_type")
    assert listed(client, world.owner) == []
    made = create(client, world.owner).get_json()
    text = client.patch(f"{ENDPOINTS}/{made['id']}", headers=world.owner.headers,
                        data='{"enabled": false}', content_type="text/plain")
    assert_problem(text, 415, "unsupported_media_type")
    assert read(client, world.owner, made["id"])["enabled"] is True


# --- URLs that reach our own network (SSRF) ---------------------------------------------

REFUSED_URLS = [
    "http://example.com/",  # https required
    "https://127.0.0.1/",
    "https://localhost/",  # a name that resolves to 127.0.0.1
    "https://[::1]/",
    "https://10.1.2.3/",
    "https://169.254.169.254/latest/meta-data/",
    "https://2130706433/",  # 127.0.0.1 as one number
    "https://0x7f000001/",
    "https://[::ffff:7f00:1]/",  # 127.0.0.1 mapped into IPv6
    "https://0.0.0.0/",
    "https://192.168.1.1/",
    "https://[fd00:ec2::254]/",  # the IPv6 metadata address
]


@pytest.mark.parametrize("settings", [PUBLIC_ONLY])
@pytest.mark.parametrize("url", REFUSED_URLS)
def test_a_url_into_our_own_network_is_refused_at_creation(client, world, url):
    body = assert_problem(create(client, world.owner, url=url), 422, "webhook_url_not_allowed")
    assert set(body["errors"]) == {"url"}
    assert listed(client, world.owner) == []


@pytest.mark.parametrize("settings", [PUBLIC_ONLY])
def test_a_patch_to_a_url_into_our_own_network_is_refused_and_keeps_the_url(client, world):
    made = create(client, world.owner, url=PUBLIC)
    assert made.status_code == 201, made.get_data(as_text=True)
    endpoint_id = made.get_json()["id"]
    for url in REFUSED_URLS:
        body = assert_problem(patch(client, world.owner, endpoint_id, url=url), 422,
                              "webhook_url_not_allowed")
        assert set(body["errors"]) == {"url"}, url
    assert read(client, world.owner, endpoint_id)["url"] == PUBLIC
    assert len(listed(client, world.owner)) == 1


@pytest.mark.parametrize("settings", [PUBLIC_ONLY])
def test_a_public_https_address_is_accepted(client, world):
    response = create(client, world.owner, url=PUBLIC)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["url"] == PUBLIC


# --- updating ---------------------------------------------------------------------------


def test_a_patch_replaces_types_deduplicated_in_order_and_changes_url_and_description(
        client, world):
    made = create(client, world.owner, event_types=["*"], description="old").get_json()
    response = patch(client, world.owner, made["id"], url="http://127.0.0.1:8/new",
                     description="new",
                     event_types=["order.*", "card.sent", "order.*", "card.sent"])
    assert response.status_code == 200, response.get_data(as_text=True)
    changed = response.get_json()
    assert set(changed) == FIELDS
    assert changed["event_types"] == ["order.*", "card.sent"]
    assert changed["url"] == "http://127.0.0.1:8/new" and changed["description"] == "new"
    assert read(client, world.owner, made["id"]) == changed


def test_a_patch_changes_only_what_it_names(client, world):
    made = create(client, world.owner, event_types=["card.*"], description="keep").get_json()
    changed = patch(client, world.owner, made["id"], event_types=["order.*"]).get_json()
    assert changed["description"] == "keep" and changed["url"] == HOOK
    assert changed["event_types"] == ["order.*"]


def test_disabling_gives_a_reason_and_re_enabling_clears_it(client, world):
    made = create(client, world.owner).get_json()
    disabled = patch(client, world.owner, made["id"], enabled=False).get_json()
    assert disabled["enabled"] is False
    assert isinstance(disabled["disabled_reason"], str) and disabled["disabled_reason"]
    enabled = patch(client, world.owner, made["id"], enabled=True).get_json()
    assert enabled["enabled"] is True and enabled["disabled_reason"] is None
    assert read(client, world.owner, made["id"])["disabled_reason"] is None


def test_updated_at_follows_the_clock_and_created_at_stays(client, world, clock):
    made = create(client, world.owner).get_json()
    clock.advance(timedelta(hours=2))
    changed = patch(client, world.owner, made["id"], description="later").get_json()
    assert changed["created_at"] == iso(START)
    assert changed["updated_at"] == iso(START + timedelta(hours=2))


# --- deleting ---------------------------------------------------------------------------


def test_delete_removes_the_endpoint_its_secret_and_its_deliveries_only(client, world, rt,
                                                                         clock):
    doomed = subscribe(client, world.owner, HOOK, ["order.created"])
    kept = subscribe(client, world.owner, HOOK, ["order.created"])
    world.order("O-9")
    assert len(deliveries(client, world.owner, doomed["id"])) == 1

    response = client.delete(f"{ENDPOINTS}/{doomed['id']}", headers=world.owner.headers)

    assert response.status_code == 204 and response.get_data() == b""
    assert_problem(client.get(f"{ENDPOINTS}/{doomed['id']}", headers=world.owner.headers),
                   404, "not_found")
    assert_problem(client.get(f"{ENDPOINTS}/{doomed['id']}/deliveries",
                              headers=world.owner.headers), 404, "not_found")
    assert_problem(client.delete(f"{ENDPOINTS}/{doomed['id']}", headers=world.owner.headers),
                   404, "not_found")
    assert [e["id"] for e in listed(client, world.owner)] == [kept["id"]]
    assert sealed_secrets(rt, doomed["id"]) == []
    # An event written afterwards is owed to the endpoint left, not to the one deleted.
    world.order("O-10")
    owed = [r.endpoint_id for r in delivery_rows(rt)]
    assert owed.count(kept["id"]) == 2 and owed.count(doomed["id"]) == 1
    # Its rows go an hour on, when the worker purges: a request that read it just before
    # it was deleted may still be writing a delivery to it until then.
    clock.advance(PURGE_AFTER - timedelta(seconds=1))
    assert purge_deleted_endpoints(rt.uow) == 0
    clock.advance(timedelta(seconds=2))
    assert purge_deleted_endpoints(rt.uow) == 1
    assert {r.endpoint_id for r in delivery_rows(rt)} == {kept["id"]}


# --- rotating the secret ----------------------------------------------------------------


def rotate(client: Any, actor: Any, endpoint_id: int) -> dict[str, Any]:
    response = client.post(f"{ENDPOINTS}/{endpoint_id}/rotate-secret", headers=actor.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_rotation_answers_a_new_secret_and_when_the_old_one_retires(client, world, clock):
    made = create(client, world.owner).get_json()
    clock.advance(timedelta(minutes=5))
    rotated = rotate(client, world.owner, made["id"])
    assert set(rotated) == FIELDS | {"secret"}
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != made["secret"]
    assert len(base64.b64decode(rotated["secret"].removeprefix("whsec_"))) == 32
    retires = iso(clock.now() + timedelta(hours=24))
    assert rotated["previous_secret_retires_at"] == retires
    assert rotated["updated_at"] == iso(clock.now())
    assert read(client, world.owner, made["id"])["previous_secret_retires_at"] == retires
    clock.advance(timedelta(hours=24))
    assert read(client, world.owner, made["id"])["previous_secret_retires_at"] is None


def test_rotating_twice_in_a_day_keeps_only_the_latest_previous_secret(client, world, rt,
                                                                       clock):
    made = create(client, world.owner).get_json()
    first = rotate(client, world.owner, made["id"])
    clock.advance(timedelta(hours=1))
    second = rotate(client, world.owner, made["id"])

    assert len({made["secret"], first["secret"], second["secret"]}) == 3
    retires = iso(clock.now() + timedelta(hours=24))
    assert second["previous_secret_retires_at"] == retires
    assert read(client, world.owner, made["id"])["previous_secret_retires_at"] == retires
    held = sealed_secrets(rt, made["id"])
    assert len(held) == 2
    assert [rt.webhook_seal.open(s) for s in held] == [first["secret"], second["secret"]]


# --- idempotent creation ----------------------------------------------------------------


def test_a_create_retried_with_its_idempotency_key_answers_the_same_endpoint(client, world):
    headers = {**world.owner.headers, "Idempotency-Key": "create-hook-1"}
    first = create(client, world.owner, headers=headers)
    again = create(client, world.owner, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()  # the same id, the same secret
    assert [e["id"] for e in listed(client, world.owner)] == [first.get_json()["id"]]


# --- the deliveries listing -------------------------------------------------------------


def test_deliveries_filter_by_state(client, world, rt, receiver):
    endpoint = subscribe(client, world.owner, receiver.url, ["order.created"])
    world.order("O-1")
    run_once(rt)
    world.order("O-2")  # owed, not yet sent

    (delivered,) = deliveries(client, world.owner, endpoint["id"], state="delivered")
    (pending,) = deliveries(client, world.owner, endpoint["id"], state="pending")
    assert delivered["state"] == "delivered" and pending["state"] == "pending"
    assert delivered["id"] < pending["id"]
    assert deliveries(client, world.owner, endpoint["id"], state="failed") == []
    assert_invalid(client.get(f"{ENDPOINTS}/{endpoint['id']}/deliveries",
                              headers=world.owner.headers, query_string={"state": "lost"}),
                   "state")


def test_deliveries_filter_by_event(client, world):
    endpoint = subscribe(client, world.owner, HOOK, ["order.created"])
    for order_no in ("O-1", "O-2", "O-3"):
        world.order(order_no)
    every = deliveries(client, world.owner, endpoint["id"])
    chosen = every[1]
    assert deliveries(client, world.owner, endpoint["id"], event_id=chosen["event_id"]) == [
        chosen]
    assert deliveries(client, world.owner, endpoint["id"], event_id=MISSING) == []
    for bad in ("abc", "0", "1.5"):
        assert_invalid(client.get(f"{ENDPOINTS}/{endpoint['id']}/deliveries",
                                  headers=world.owner.headers, query_string={"event_id": bad}),
                       "event_id")


def test_deliveries_page_newest_first_each_once(client, world):
    endpoint = subscribe(client, world.owner, HOOK, ["order.created"])
    for order_no in ("O-1", "O-2", "O-3"):
        world.order(order_no)
    every = [d["id"] for d in deliveries(client, world.owner, endpoint["id"])]
    assert len(every) == 3 and every == sorted(every, reverse=True)

    seen, cursor = [], None
    while True:
        query = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        response = client.get(f"{ENDPOINTS}/{endpoint['id']}/deliveries",
                              headers=world.owner.headers, query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        page = response.get_json()
        assert len(page["items"]) == 1
        seen += [d["id"] for d in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == every
    assert_invalid(client.get(f"{ENDPOINTS}/{endpoint['id']}/deliveries",
                              headers=world.owner.headers, query_string={"cursor": "forged"}),
                   "cursor")


def test_a_delivery_of_another_endpoint_of_the_store_is_not_retried(client, world):
    first = subscribe(client, world.owner, HOOK, ["order.created"])
    second = subscribe(client, world.owner, HOOK, ["order.created"])
    world.order("O-1")
    (mine,) = deliveries(client, world.owner, first["id"])
    (other,) = deliveries(client, world.owner, second["id"])

    wrong = client.post(f"{ENDPOINTS}/{first['id']}/deliveries/{other['id']}/retry",
                        headers=world.owner.headers)
    assert_problem(wrong, 404, "not_found")
    right = client.post(f"{ENDPOINTS}/{first['id']}/deliveries/{mine['id']}/retry",
                        headers=world.owner.headers)
    assert right.status_code == 202 and right.get_json()["id"] == mine["id"]


# --- the OpenAPI description ------------------------------------------------------------

DOCUMENTED = {
    "/webhook-endpoints": {"get": ("200", {403, 422}), "post": ("201", {403, 422})},
    "/webhook-endpoints/{endpoint_id}": {"get": ("200", {403, 404}),
                                         "patch": ("200", {403, 404, 422}),
                                         "delete": ("204", {403, 404})},
    "/webhook-endpoints/{endpoint_id}/rotate-secret": {"post": ("200", {403, 404})},
    "/webhook-endpoints/{endpoint_id}/deliveries": {"get": ("200", {403, 404, 422})},
    "/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry": {
        "post": ("202", {403, 404})},
    "/webhook-endpoints/{endpoint_id}/replay": {"post": ("202", {403, 404, 422})},
}


def test_openapi_documents_every_webhook_path_with_its_problems(client):
    spec = client.get(f"{API}/openapi.json").get_json()
    for path, methods in DOCUMENTED.items():
        operations = spec["paths"][f"{API}{path}"]
        assert set(methods) <= set(operations), path
        for method, (success, problems) in methods.items():
            responses = operations[method]["responses"]
            assert success in responses, (path, method)
            for status in problems | {401}:
                content = responses[str(status)]["content"]
                ref = content["application/problem+json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Problem", (path, method, status)
    secret = spec["components"]["schemas"]
    assert "secret" in secret["NewEndpoint"]["properties"]
    assert "secret" not in secret["Endpoint"]["properties"]
