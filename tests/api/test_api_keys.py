"""Named API keys: who manages whose, shown once, revoked or expired at once everywhere."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, text

from negotiation import create_app
from negotiation.domain.enums import Role
from tests.api.helpers import API, PROBLEM_KEYS, assert_invalid, assert_problem, iso
from tests.conftest import ADMIN_TOKEN, START, Actor

ANOTHER_DAY = START + timedelta(days=1)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def create_key(client: Any, headers: dict[str, str], account_id: int, name: str = "crm",
               **body: Any) -> Any:
    return client.post(f"{API}/accounts/{account_id}/keys", headers=headers,
                       json={"name": name, **body})


def issued(client: Any, headers: dict[str, str], account_id: int, name: str = "crm",
           **body: Any) -> dict[str, Any]:
    response = create_key(client, headers, account_id, name, **body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def keys_of(client: Any, headers: dict[str, str], account_id: int) -> list[dict[str, Any]]:
    response = client.get(f"{API}/accounts/{account_id}/keys", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def revoke(client: Any, headers: dict[str, str], key_id: int) -> Any:
    return client.post(f"{API}/keys/{key_id}/revoke", headers=headers)


def rotate(client: Any, headers: dict[str, str], key_id: int) -> Any:
    return client.post(f"{API}/keys/{key_id}/rotate", headers=headers)


def me(client: Any, key: str) -> Any:
    return client.get(f"{API}/accounts/me", headers=bearer(key))


def other_store(client: Any, world: Any) -> tuple[Actor, Actor]:
    """A second store's owner and agent."""
    store_id = client.post(f"{API}/stores", headers=world.admin_headers,
                           json={"name": "Other store"}).get_json()["id"]
    return (world.actor(Role.OWNER, "other owner", store_id),
            world.actor(Role.AGENT, "other agent", store_id))


# --- what the OpenAPI document promises ---------------------------------------------------


def schema_errors(value: Any, schema: dict[str, Any], spec: dict[str, Any],
                  path: str = "$") -> list[str]:
    """Where ``value`` breaks an OpenAPI 3.0 schema of the document: types, nulls, fields."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if value is None:
        return [] if schema.get("nullable") else [f"{path} is null"]
    kind = schema.get("type")
    expected = {"integer": int, "string": str, "boolean": bool, "array": list,
                "object": dict}.get(kind or "")
    if expected and (not isinstance(value, expected)
                     or (kind == "integer" and isinstance(value, bool))):
        return [f"{path} is not {kind}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path} is none of {schema['enum']}")
    if schema.get("format") == "date-time":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            errors.append(f"{path} is not an instant")
    if kind == "array":
        for n, item in enumerate(value):
            errors += schema_errors(item, schema["items"], spec, f"{path}[{n}]")
    if kind == "object":
        properties = schema.get("properties", {})
        errors += [f"{path}.{name} is missing" for name in schema.get("required", [])
                   if name not in value]
        errors += [f"{path}.{name} is not documented" for name in value
                   if name not in properties]
        for name, item in value.items():
            if name in properties:
                errors += schema_errors(item, properties[name], spec, f"{path}.{name}")
    return errors


@pytest.fixture
def spec(client):
    return json.loads(client.get(f"{API}/openapi.json").get_data(as_text=True))


def response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> dict:
    answer = spec["paths"][f"{API}{path}"][method]["responses"][str(status)]
    return answer["content"]["application/json"]["schema"]


def test_the_schema_check_notices_a_null_the_schema_does_not_allow(spec):
    created = response_schema(spec, "/accounts", "post", 201)
    unkeyed = {"id": 1, "role": "buyer", "name": "x", "store_id": None, "token": None}
    assert schema_errors(unkeyed, created, spec) == ["$.token is null"]


def test_accounts_me_answers_what_its_schema_documents_for_an_account_and_the_admin(
        client, world, spec):
    documented = response_schema(spec, "/accounts/me", "get", 200)
    for headers in (world.owner.headers, world.buyer.headers, world.admin_headers):
        answer = client.get(f"{API}/accounts/me", headers=headers)
        assert answer.status_code == 200
        assert schema_errors(answer.get_json(), documented, spec) == []
        assert "token" not in answer.get_json()
    admin = client.get(f"{API}/accounts/me", headers=world.admin_headers).get_json()
    assert admin["id"] is None
    assert "no account" in spec["components"]["schemas"]["CallerAccount"]["properties"][
        "id"]["description"]


def test_a_new_account_answers_its_token_as_its_schema_requires(client, world, spec):
    answer = client.post(f"{API}/accounts", headers=world.admin_headers,
                         json={"role": "buyer", "name": "Li Lei"})
    assert answer.status_code == 201
    documented = response_schema(spec, "/accounts", "post", 201)
    assert schema_errors(answer.get_json(), documented, spec) == []
    component = spec["components"]["schemas"][documented["$ref"].rsplit("/", 1)[1]]
    assert "token" in component["required"]
    assert not component["properties"]["token"].get("nullable")


def test_key_answers_match_their_schemas(client, world, spec):
    new = create_key(client, world.buyer.headers, world.buyer.id,
                     expires_at=iso(ANOTHER_DAY))
    assert new.status_code == 201
    paths = [(new, "/accounts/{account_id}/keys", "post", 201)]
    listed = client.get(f"{API}/accounts/{world.buyer.id}/keys", headers=world.buyer.headers)
    paths.append((listed, "/accounts/{account_id}/keys", "get", 200))
    rotated = rotate(client, world.buyer.headers, new.get_json()["id"])
    paths.append((rotated, "/keys/{key_id}/rotate", "post", 201))
    revoked = revoke(client, world.buyer.headers, rotated.get_json()["id"])
    paths.append((revoked, "/keys/{key_id}/revoke", "post", 200))
    for answer, path, method, status in paths:
        assert answer.status_code == status, answer.get_data(as_text=True)
        documented = response_schema(spec, path, method, status)
        assert schema_errors(answer.get_json(), documented, spec) == [], path


def test_the_openapi_document_describes_rotation(spec):
    assert "post" in spec["paths"][f"{API}/keys/{{key_id}}/rotate"]
    assert "post" in spec["paths"][f"{API}/keys/{{key_id}}/revoke"]
    assert {"get", "post"} <= set(spec["paths"][f"{API}/accounts/{{account_id}}/keys"])


# --- creating and listing -----------------------------------------------------------------


def test_an_account_creates_a_named_key_shown_once_that_authenticates_it(client, world):
    key = issued(client, world.buyer.headers, world.buyer.id, "support chat")
    assert {k: key[k] for k in ("name", "created_at", "expires_at", "last_used_at",
                                "revoked_at", "account_id")} == {
        "name": "support chat", "created_at": iso(START), "expires_at": None,
        "last_used_at": None, "revoked_at": None, "account_id": world.buyer.id}
    assert isinstance(key["key"], str) and len(key["key"]) >= 32
    assert me(client, key["key"]).get_json()["id"] == world.buyer.id
    listed = keys_of(client, world.buyer.headers, world.buyer.id)
    assert [k["name"] for k in listed] == ["default", "support chat"]
    assert all("key" not in k for k in listed)
    assert key["key"] not in json.dumps(listed)


def test_the_account_token_is_its_first_key_named_default(client, world):
    (default,) = keys_of(client, world.owner.headers, world.owner.id)
    assert default["name"] == "default" and default["revoked_at"] is None
    assert revoke(client, world.owner.headers, default["id"]).status_code == 200
    assert_problem(client.get(f"{API}/accounts/me", headers=world.owner.headers),
                   401, "unauthenticated")


def test_an_account_holds_several_keys_and_each_works_alone(client, world):
    crm = issued(client, world.owner.headers, world.owner.id, "crm")
    chat = issued(client, world.owner.headers, world.owner.id, "chat")
    assert revoke(client, world.owner.headers, crm["id"]).status_code == 200
    assert_problem(me(client, crm["key"]), 401, "unauthenticated")
    assert me(client, chat["key"]).status_code == 200
    assert client.get(f"{API}/accounts/me", headers=world.owner.headers).status_code == 200


def test_a_key_acts_with_its_accounts_role(client, world):
    world.order("O-1")
    key = issued(client, world.agent.headers, world.agent.id)
    response = client.post(f"{API}/orders/O-1/negotiation/cards", headers=bearer(key["key"]),
                           json={"proposed_ship_by": iso(START + timedelta(days=5)),
                                 "reason": "custom_made"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["sent_by"] == world.agent.id


def test_the_list_pages_with_a_cursor(client, world):
    for n in range(3):
        issued(client, world.buyer.headers, world.buyer.id, f"key {n}")
    url = f"{API}/accounts/{world.buyer.id}/keys?limit=2"
    first = client.get(url, headers=world.buyer.headers).get_json()
    assert [k["name"] for k in first["items"]] == ["default", "key 0"]
    second = client.get(f"{url}&cursor={first['next_cursor']}",
                        headers=world.buyer.headers).get_json()
    assert [k["name"] for k in second["items"]] == ["key 1", "key 2"]
    assert second["next_cursor"] is None


def test_the_list_shows_revoked_keys_with_when(client, world, clock):
    key = issued(client, world.buyer.headers, world.buyer.id)
    clock.advance(timedelta(minutes=5))
    revoke(client, world.buyer.headers, key["id"])
    listed = {k["id"]: k for k in keys_of(client, world.buyer.headers, world.buyer.id)}
    assert listed[key["id"]]["revoked_at"] == iso(START + timedelta(minutes=5))


@pytest.mark.parametrize("name", ["", "x" * 101, "bell\x07", "nul\x00"])
def test_a_key_name_must_be_1_to_100_plain_characters(client, world, name):
    assert_invalid(create_key(client, world.buyer.headers, world.buyer.id, name), "name")


def test_a_key_name_of_100_characters_is_taken(client, world):
    assert issued(client, world.buyer.headers, world.buyer.id, "名" * 100)["name"] == "名" * 100


def test_a_key_needs_a_name(client, world):
    response = client.post(f"{API}/accounts/{world.buyer.id}/keys",
                           headers=world.buyer.headers, json={})
    assert_invalid(response, "name")


# --- expiry -------------------------------------------------------------------------------


@pytest.mark.parametrize("expires_at", [START, START - timedelta(seconds=1),
                                        START + timedelta(days=366, seconds=1)],
                         ids=["now", "past", "beyond the horizon"])
def test_an_expiry_must_be_ahead_and_within_a_year(client, world, expires_at):
    response = create_key(client, world.buyer.headers, world.buyer.id,
                          expires_at=iso(expires_at))
    body = assert_invalid(response, "expires_at")
    assert keys_of(client, world.buyer.headers, world.buyer.id)[-1]["name"] == "default", body


@pytest.mark.parametrize("expires_at", ["2026-12-01T00:00:00", "tomorrow"])
def test_an_expiry_must_be_an_instant_with_an_offset(client, world, expires_at):
    response = create_key(client, world.buyer.headers, world.buyer.id, expires_at=expires_at)
    assert_invalid(response, "expires_at")


def test_an_expiry_366_days_ahead_or_null_is_taken(client, world):
    latest = START + timedelta(days=366)
    assert issued(client, world.buyer.headers, world.buyer.id,
                  expires_at=iso(latest))["expires_at"] == iso(latest)
    assert issued(client, world.buyer.headers, world.buyer.id,
                  expires_at=None)["expires_at"] is None


def test_an_expiring_key_works_until_the_second_before_and_is_refused_at_expiry(
        client, world, clock):
    key = issued(client, world.buyer.headers, world.buyer.id,
                 expires_at=iso(START + timedelta(hours=1)))
    clock.set(START + timedelta(hours=1) - timedelta(seconds=1))
    assert me(client, key["key"]).status_code == 200
    clock.set(START + timedelta(hours=1))
    assert_problem(me(client, key["key"]), 401, "unauthenticated")
    assert client.get(f"{API}/accounts/me", headers=world.buyer.headers).status_code == 200


def test_an_expiry_with_an_offset_is_kept_in_utc(client, world):
    key = issued(client, world.buyer.headers, world.buyer.id,
                 expires_at="2026-11-23T08:00:00+08:00")
    assert key["expires_at"] == "2026-11-23T00:00:00Z"


# --- revoking -----------------------------------------------------------------------------


def test_a_revoked_key_is_refused_on_the_very_next_request(client, world):
    key = issued(client, world.owner.headers, world.owner.id)
    assert me(client, key["key"]).status_code == 200
    revoked = revoke(client, world.owner.headers, key["id"])
    assert revoked.status_code == 200
    assert revoked.get_json()["revoked_at"] == iso(START)
    assert "key" not in revoked.get_json()
    assert_problem(me(client, key["key"]), 401, "unauthenticated")


def test_revoking_twice_answers_the_first_revocation_again(client, world, clock):
    key = issued(client, world.owner.headers, world.owner.id)
    first = revoke(client, world.owner.headers, key["id"]).get_json()
    clock.advance(timedelta(hours=2))
    again = revoke(client, world.owner.headers, key["id"])
    assert again.status_code == 200
    assert again.get_json() == first


def test_a_key_may_revoke_itself(client, world):
    key = issued(client, world.owner.headers, world.owner.id)
    assert revoke(client, bearer(key["key"]), key["id"]).status_code == 200
    assert_problem(me(client, key["key"]), 401, "unauthenticated")


@pytest.fixture
def second_app(database_url: str, clock, tmp_path) -> Iterator[Any]:
    """Another process on the same database: an app of its own, its own engine and pool."""
    other = create_app({"TESTING": True, "DATABASE_URL": database_url,
                        "ADMIN_TOKEN": ADMIN_TOKEN, "SECRET_KEY": "test-secret",
                        "EVIDENCE_DIR": str(tmp_path / "evidence-2"),
                        "RATELIMIT_ENABLED": False}, clock=clock)
    yield other
    other.extensions["negotiation"].engine.dispose()


def test_a_key_revoked_in_one_process_is_refused_by_another_that_just_took_it(
        client, world, second_app):
    key = issued(client, world.owner.headers, world.owner.id)
    elsewhere = second_app.test_client()
    assert me(elsewhere, key["key"]).status_code == 200
    assert revoke(client, world.owner.headers, key["id"]).status_code == 200
    assert_problem(me(elsewhere, key["key"]), 401, "unauthenticated")


# --- rotating -----------------------------------------------------------------------------


def test_rotating_issues_a_new_key_of_the_same_name_and_expiry_and_revokes_the_old(
        client, world, clock):
    old = issued(client, world.owner.headers, world.owner.id, "erp",
                 expires_at=iso(START + timedelta(days=30)))
    clock.advance(timedelta(minutes=1))
    response = rotate(client, world.owner.headers, old["id"])
    assert response.status_code == 201, response.get_json()
    new = response.get_json()
    assert (new["name"], new["expires_at"], new["created_at"]) == (
        "erp", old["expires_at"], iso(START + timedelta(minutes=1)))
    assert new["id"] != old["id"] and new["key"] != old["key"]
    assert me(client, new["key"]).status_code == 200
    assert_problem(me(client, old["key"]), 401, "unauthenticated")
    listed = {k["id"]: k for k in keys_of(client, world.owner.headers, world.owner.id)}
    assert listed[old["id"]]["revoked_at"] == new["created_at"]
    assert listed[new["id"]]["revoked_at"] is None


def test_a_revoked_key_cannot_be_rotated_back_to_life(client, world):
    key = issued(client, world.owner.headers, world.owner.id)
    revoke(client, world.owner.headers, key["id"])
    assert_problem(rotate(client, world.owner.headers, key["id"]), 409, "api_key_revoked")
    assert len(keys_of(client, world.owner.headers, world.owner.id)) == 2


def test_an_expired_key_cannot_be_rotated(client, world, clock):
    key = issued(client, world.owner.headers, world.owner.id,
                 expires_at=iso(START + timedelta(hours=1)))
    clock.set(START + timedelta(hours=1))
    assert_problem(rotate(client, world.owner.headers, key["id"]), 409, "api_key_expired")


# --- who manages whose keys ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "agent", "buyer", "reviewer"])
def test_every_account_manages_its_own_keys(client, world, role):
    actor = getattr(world, role)
    key = issued(client, actor.headers, actor.id)
    assert len(keys_of(client, actor.headers, actor.id)) == 2
    rotated = rotate(client, actor.headers, key["id"])
    assert rotated.status_code == 201
    assert revoke(client, actor.headers, rotated.get_json()["id"]).status_code == 200


def test_an_owner_manages_its_agents_keys(client, world):
    key = issued(client, world.owner.headers, world.agent.id, "night shift bot")
    assert key["account_id"] == world.agent.id
    assert me(client, key["key"]).get_json()["id"] == world.agent.id
    names = [k["name"] for k in keys_of(client, world.owner.headers, world.agent.id)]
    assert names == ["default", "night shift bot"]
    rotated = rotate(client, world.owner.headers, key["id"]).get_json()
    assert revoke(client, world.owner.headers, rotated["id"]).status_code == 200
    assert_problem(me(client, rotated["key"]), 401, "unauthenticated")


def test_an_owner_may_cut_off_its_agent_by_revoking_its_token(client, world):
    (default,) = keys_of(client, world.owner.headers, world.agent.id)
    assert revoke(client, world.owner.headers, default["id"]).status_code == 200
    assert_problem(client.get(f"{API}/accounts/me", headers=world.agent.headers),
                   401, "unauthenticated")


@pytest.mark.parametrize("admin", ["admin token", "admin account"])
def test_an_admin_manages_anyones_keys(client, world, admin):
    headers = world.admin_headers
    if admin == "admin account":
        headers = world.actor(Role.ADMIN, "ops").headers
    for actor in (world.owner, world.agent, world.buyer, world.reviewer):
        key = issued(client, headers, actor.id)
        assert me(client, key["key"]).get_json()["id"] == actor.id
        assert len(keys_of(client, headers, actor.id)) == 2
        rotated = rotate(client, headers, key["id"]).get_json()
        assert revoke(client, headers, rotated["id"]).status_code == 200


def hidden_pairs(client: Any, world: Any) -> list[tuple[Actor, Actor]]:
    """(caller, account) pairs where the account's keys are not the caller's to see."""
    other_owner, other_agent = other_store(client, world)
    return [(other_owner, world.agent), (other_owner, world.owner), (world.owner, other_agent),
            (world.buyer, world.owner), (world.buyer, world.reviewer),
            (world.agent, world.owner), (world.agent, other_agent),
            (world.reviewer, world.buyer), (world.owner, world.buyer),
            (world.owner, world.reviewer), (other_agent, world.agent)]


def test_someone_elses_keys_are_not_found_whatever_the_caller_tries(client, world):
    for caller, account in hidden_pairs(client, world):
        (default,) = keys_of(client, account.headers, account.id)
        for response in (create_key(client, caller.headers, account.id),
                         client.get(f"{API}/accounts/{account.id}/keys",
                                    headers=caller.headers),
                         revoke(client, caller.headers, default["id"]),
                         rotate(client, caller.headers, default["id"])):
            assert_problem(response, 404, "not_found")
        assert keys_of(client, account.headers, account.id) == [default], (caller, account)
        assert client.get(f"{API}/accounts/me", headers=account.headers).status_code == 200


def test_an_owner_may_not_manage_another_owners_keys_in_its_own_store(client, world):
    second_owner = world.actor(Role.OWNER, "co-owner", world.store_id)
    assert_problem(create_key(client, world.owner.headers, second_owner.id), 404, "not_found")


def problem_as_if_about(response: Any, named: int, instead: int) -> dict[str, Any]:
    """The problem's fields, with the id it names replaced (a request id differs anyway)."""
    body = json.loads(response.get_data(as_text=True).replace(str(named), str(instead)))
    return {k: v for k, v in body.items() if k in PROBLEM_KEYS | {"errors"}}


def test_another_stores_account_reads_exactly_like_a_missing_one(client, world):
    other_owner, _ = other_store(client, world)
    missing = 2_000_000
    hidden = client.get(f"{API}/accounts/{world.agent.id}/keys", headers=other_owner.headers)
    absent = client.get(f"{API}/accounts/{missing}/keys", headers=other_owner.headers)
    assert hidden.status_code == absent.status_code == 404
    assert (problem_as_if_about(hidden, world.agent.id, world.agent.id)
            == problem_as_if_about(absent, missing, world.agent.id))
    (default,) = keys_of(client, world.agent.headers, world.agent.id)
    hidden = revoke(client, other_owner.headers, default["id"])
    absent = revoke(client, other_owner.headers, missing)
    assert hidden.status_code == absent.status_code == 404
    assert (problem_as_if_about(hidden, default["id"], default["id"])
            == problem_as_if_about(absent, missing, default["id"]))


@pytest.mark.parametrize("path", [
    "/accounts/2147483648/keys", "/accounts/99999999999999999999/keys",
    "/keys/2147483648/revoke", "/keys/99999999999999999999/rotate", "/keys/0/revoke"])
def test_an_id_no_row_can_have_is_not_found(client, world, path):
    method = client.get if path.endswith("/keys") else client.post
    assert_problem(method(f"{API}{path}", headers=world.admin_headers), 404, "not_found")


def test_without_a_valid_key_nothing_about_keys_is_answered(client, world):
    (default,) = keys_of(client, world.owner.headers, world.owner.id)
    for response in (create_key(client, bearer("no-such-key"), world.owner.id),
                     client.get(f"{API}/accounts/{world.owner.id}/keys"),
                     revoke(client, {}, default["id"])):
        assert_problem(response, 401, "unauthenticated")
    assert keys_of(client, world.owner.headers, world.owner.id) == [default]


# --- last use -----------------------------------------------------------------------------


def test_last_used_at_is_stamped_on_use_and_not_rewritten_within_the_minute(
        client, world, clock):
    key = issued(client, world.buyer.headers, world.buyer.id)

    def last_used() -> str | None:
        """Use the key (to list the keys), and read what the list says of it."""
        listed = {k["id"]: k for k in keys_of(client, bearer(key["key"]), world.buyer.id)}
        return listed[key["id"]]["last_used_at"]

    clock.advance(timedelta(seconds=10))
    assert last_used() == iso(START + timedelta(seconds=10))
    clock.advance(timedelta(seconds=60))  # exactly a minute after: not yet stale
    assert last_used() == iso(START + timedelta(seconds=10))
    clock.advance(timedelta(seconds=1))
    assert last_used() == iso(START + timedelta(seconds=71))


# --- at rest --------------------------------------------------------------------------------


def test_a_key_is_kept_only_as_its_sha256_digest(client, world, rt):
    key = issued(client, world.buyer.headers, world.buyer.id)
    rotated = rotate(client, world.buyer.headers, key["id"]).get_json()
    with rt.engine.connect() as connection:
        stored = dict(connection.execute(text(
            "SELECT id, key_hash FROM api_keys")).all())
        every_value = [str(row) for table in inspect(connection).get_table_names()
                       for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
    for issued_key in (key, rotated, {"id": None, "key": world.buyer.token}):
        digest = hashlib.sha256(issued_key["key"].encode()).hexdigest()
        assert digest in stored.values()
        assert not any(issued_key["key"] in value for value in every_value)
    assert stored[key["id"]] == hashlib.sha256(key["key"].encode()).hexdigest()
