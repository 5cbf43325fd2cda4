"""Rate limits: 429 ``rate_limited`` with ``Retry-After``; a budget per key and route class,
per client address for failed authentication and web sign-ins; one budget for every
process when they share Redis.

The suite's ``app`` runs with limits off; each test here builds apps of its own over the
test's database with the limits it needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from negotiation.domain.enums import Role
from tests.api.helpers import API, propose
from tests.api.report_helpers import make_app
from tests.web.conftest import Browser, text

REDIS_URL = "redis://127.0.0.1:6379/11"
OTHER_ADDRESS = {"REMOTE_ADDR": "192.0.2.7"}


@pytest.fixture
def limited(database_url: str, clock: Any, tmp_path: Any) -> Iterator[Any]:
    """``limited(**config)``: an app over the test's database, its limits as configured."""
    apps: list[Any] = []

    def build(**config: Any) -> Any:
        # Limits are on unless turned off: no RATELIMIT_ENABLED here.
        app = make_app(database_url, clock, tmp_path,
                       **{"RATELIMIT_STORAGE_URL": "memory://", **config})
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["negotiation"].engine.dispose()


def read_order(client: Any, actor: Any, **kwargs: Any) -> Any:
    return client.get(f"{API}/orders/O-1", headers=actor.headers, **kwargs)


def assert_rate_limited(response: Any, window_seconds: int) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "rate_limited" and body["status"] == 429
    assert body["type"].endswith("#rate_limited") and body["title"] == "Too Many Requests"
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert 0 < int(response.headers["Retry-After"]) <= window_seconds


def test_a_key_past_its_read_budget_hears_429_rate_limited_with_retry_after(limited, world):
    world.order("O-1")
    client = limited(RATELIMIT_READS="3 per hour").test_client()
    for _ in range(3):
        assert read_order(client, world.owner).status_code == 200
    refused = read_order(client, world.owner)
    assert_rate_limited(refused, 3600)
    assert str(int(refused.headers["Retry-After"])) in refused.get_json()["detail"]


def test_another_key_keeps_its_own_budget(limited, world):
    world.order("O-1")
    client = limited(RATELIMIT_READS="2 per hour").test_client()
    for _ in range(2):
        read_order(client, world.owner)
    assert read_order(client, world.owner).status_code == 429
    assert read_order(client, world.buyer).status_code == 200
    assert read_order(client, world.agent).status_code == 200


def test_reads_and_writes_are_separate_budgets(limited, world):
    world.order("O-1")
    client = limited(RATELIMIT_READS="1 per hour", RATELIMIT_WRITES="1 per hour").test_client()
    assert read_order(client, world.owner).status_code == 200
    assert read_order(client, world.owner).status_code == 429
    assert propose(client, world).status_code == 201  # the write budget is untouched
    assert_rate_limited(propose(client, world), 3600)


def test_requests_without_a_token_spend_their_addresss_budget(limited, world):
    client = limited(RATELIMIT_READS="2 per hour").test_client()
    for _ in range(2):
        assert client.get(f"{API}/openapi.json").status_code == 200
    assert_rate_limited(client.get(f"{API}/openapi.json"), 3600)
    assert client.get(f"{API}/openapi.json", environ_base=OTHER_ADDRESS).status_code == 200


def test_failed_authentications_past_the_budget_answer_429_from_that_address_only(
        limited, world):
    world.order("O-1")
    client = limited(RATELIMIT_AUTH_FAILURES="3 per hour").test_client()
    # A different guess each time (each has a read budget of its own), on paths that
    # exist or not: every 401 counts.
    for path in ("/orders/O-1", "/made-up", "/made-up/too"):
        guess = {"Authorization": f"Bearer guess-{uuid.uuid4().hex}"}
        assert client.get(f"{API}{path}", headers=guess).status_code == 401
    guess = {"Authorization": f"Bearer guess-{uuid.uuid4().hex}"}
    assert_rate_limited(client.get(f"{API}/orders/O-1", headers=guess), 3600)
    assert_rate_limited(client.get(f"{API}/orders/O-1"), 3600)  # no token at all
    other = client.get(f"{API}/orders/O-1", headers=guess, environ_base=OTHER_ADDRESS)
    assert other.status_code == 401


def test_a_valid_key_is_never_refused_for_its_addresss_failed_guesses(limited, world):
    world.order("O-1")
    client = limited(RATELIMIT_AUTH_FAILURES="2 per hour").test_client()
    for _ in range(5):
        client.get(f"{API}/orders/O-1", headers={"Authorization": "Bearer wrong"})
    assert read_order(client, world.owner).status_code == 200


def test_successful_requests_spend_nothing_of_the_failure_budget(limited, world):
    world.order("O-1")
    client = limited(RATELIMIT_AUTH_FAILURES="2 per hour").test_client()
    for _ in range(5):
        assert read_order(client, world.owner).status_code == 200


def test_failed_sign_ins_on_the_web_pages_are_limited_per_address(limited, world):
    app = limited(RATELIMIT_SIGN_IN_FAILURES="2 per hour", RATELIMIT_READS="1 per hour")
    person = Browser(app.test_client())
    for _ in range(2):
        assert person.sign_in("not-a-key").status_code == 422
    refused = person.sign_in(world.owner.token)
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert "Too many attempts" in text(refused)
    # Pages are not API reads: their budget of one is never spent.
    for _ in range(3):
        assert person.get("/sign-in").status_code == 200


def test_the_limits_are_read_from_the_environment(limited, world, monkeypatch):
    world.order("O-1")
    monkeypatch.setenv("NEGOTIATION_RATELIMIT_READS", "1 per hour")
    client = limited().test_client()
    assert read_order(client, world.owner).status_code == 200
    assert read_order(client, world.owner).status_code == 429
    monkeypatch.setenv("NEGOTIATION_RATELIMIT_ENABLED", "false")
    unlimited = limited().test_client()
    for _ in range(3):
        assert read_order(unlimited, world.owner).status_code == 200


# --- two processes, one budget ------------------------------------------------------------


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in a Redis database, removed afterwards."""
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.RedisError as error:
        server.close()
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error}); .ci/run starts it")
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    server.close()


def test_two_processes_sharing_redis_spend_one_budget(limited, world, redis_prefix):
    world.order("O-1")
    shared = {"RATELIMIT_STORAGE_URL": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_prefix,
              "RATELIMIT_READS": "3 per hour"}
    first, second = limited(**shared).test_client(), limited(**shared).test_client()
    assert read_order(first, world.owner).status_code == 200
    assert read_order(second, world.owner).status_code == 200
    assert read_order(first, world.owner).status_code == 200
    assert_rate_limited(read_order(second, world.owner), 3600)
    assert read_order(first, world.owner).status_code == 429
    newcomer = world.actor(Role.BUYER, "newcomer")
    assert read_order(second, newcomer).status_code == 404  # its own budget: not refused
