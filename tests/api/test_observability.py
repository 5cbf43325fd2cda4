"""What operators see: request ids, the JSON access log, /metrics, and gunicorn's own
answers under the shipped gunicorn.conf.py."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.test import EnvironBuilder

from negotiation import create_app
from negotiation.adapters import schema
from negotiation.adapters.database import build_engine
from negotiation.observability import AccessLog, Metrics
from tests.api.helpers import API, propose
from tests.conftest import ADMIN_TOKEN

ROOT = Path(__file__).resolve().parents[2]
METRICS_TOKEN = "metrics-token-for-tests"
FRESH_ID = re.compile(r"[0-9a-f]{32}")


def access_lines(caplog: Any) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "negotiation.access"]


@pytest.fixture
def logged(caplog: Any) -> Any:
    caplog.set_level(logging.INFO, logger="negotiation.access")
    return caplog


# --- request ids and the access log --------------------------------------------------------


def test_a_problem_document_names_its_request_as_its_log_line_does(client, world, logged):
    world.order("O-1")
    response = client.get(f"{API}/orders/O-9", headers=world.buyer.headers)
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    assert FRESH_ID.fullmatch(request_id)
    assert response.get_json()["request_id"] == request_id
    [line] = access_lines(logged)
    assert line["request_id"] == request_id
    assert line["method"] == "GET" and line["status"] == 404
    assert line["route"] == "/api/v1/orders/<order_no:order_no>"  # the rule, not the path
    assert line["caller"] == world.buyer.id
    assert isinstance(line["latency_ms"], float) and line["latency_ms"] >= 0


def test_an_incoming_request_id_is_kept_and_echoed(client, world, logged):
    response = client.get(f"{API}/orders/O-1", headers={"X-Request-ID": "edge-7f3a:42"})
    assert response.status_code == 401
    assert response.headers["X-Request-ID"] == "edge-7f3a:42"
    assert response.get_json()["request_id"] == "edge-7f3a:42"
    assert [line["request_id"] for line in access_lines(logged)] == ["edge-7f3a:42"]


@pytest.mark.parametrize("hostile", ["x" * 129, "abc\x1bdef", "two words", "\u00e9t\u00e9"])
def test_a_hostile_request_id_is_replaced_by_a_fresh_one(client, world, logged, hostile):
    response = client.get(f"{API}/orders/O-1", headers={"X-Request-ID": hostile})
    assert FRESH_ID.fullmatch(response.headers["X-Request-ID"])
    assert response.get_json()["request_id"] == response.headers["X-Request-ID"]
    assert hostile not in logged.text


def test_the_web_pages_have_request_ids_and_log_lines_too(client, logged):
    page = client.get("/sign-in")
    assert page.status_code == 200 and FRESH_ID.fullmatch(page.headers["X-Request-ID"])
    [line] = access_lines(logged)
    assert line == {**line, "route": "/sign-in", "status": 200, "caller": None,
                    "request_id": page.headers["X-Request-ID"]}


def test_the_admin_token_is_logged_as_admin(client, world, logged):
    world.order("O-1")
    assert client.get(f"{API}/orders/O-1", headers=world.admin_headers).status_code == 200
    assert access_lines(logged)[-1]["caller"] == "admin"


def test_no_log_line_ever_holds_a_token(client, world, caplog, tmp_path, clock):
    """Over answers of every kind, a 401 with a wrong token and a 500 included."""
    caplog.set_level(logging.DEBUG)
    world.order("O-1")
    wrong = "wrong-token-" + "q" * 32
    owner = world.owner
    assert client.get(f"{API}/orders/O-1", headers=owner.headers).status_code == 200
    assert propose(client, world).status_code == 201
    assert client.get(f"{API}/orders/O-1?access_token={owner.token}",
                      headers=owner.headers).status_code == 200
    assert client.get(f"{API}/orders/O-1",
                      headers={"Authorization": f"Bearer {wrong}"}).status_code == 401
    unreachable = create_app({"TESTING": True, "SECRET_KEY": "test", "ADMIN_TOKEN": ADMIN_TOKEN,
                              "EVIDENCE_DIR": str(tmp_path / "evidence"),
                              "RATELIMIT_ENABLED": False,
                              "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/unreachable"},
                             clock=clock)
    try:
        failed = unreachable.test_client().get(f"{API}/orders/O-1", headers=world.admin_headers)
    finally:
        unreachable.extensions["negotiation"].engine.dispose()
    assert failed.status_code == 500 and failed.get_json()["code"] == "internal_error"
    statuses = [line["status"] for line in access_lines(caplog)]
    assert statuses == [200, 201, 200, 401, 500]
    assert any(r.exc_info for r in caplog.records)  # the 500's traceback was logged too
    everything = caplog.text + "".join(repr(vars(r)) for r in caplog.records)
    for secret in (owner.token, wrong, ADMIN_TOKEN):
        assert secret not in everything


def test_a_request_that_escapes_the_app_is_still_logged_as_a_500(logged):
    def crashing(environ: Any, start_response: Any) -> Any:
        raise RuntimeError("no response at all")

    secret = "Bearer escaped-" + "s" * 32
    environ = EnvironBuilder(f"{API}/orders/O-1", headers={"Authorization": secret}).get_environ()
    with pytest.raises(RuntimeError):
        AccessLog(crashing, Metrics())(environ, lambda *_: None)
    [line] = access_lines(logged)
    assert line["status"] == 500 and line["route"] is None and line["method"] == "GET"
    assert secret not in logged.text


# --- /metrics ------------------------------------------------------------------------------


def scrape(client: Any, token: str | None = METRICS_TOKEN) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/metrics", headers=headers)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def requests_counted(found: dict[Any, float], route: str, status: str) -> float:
    key = ("negotiation_http_requests_total",
           frozenset({"method": "GET", "route": route, "status": status}.items()))
    return found.get(key, 0.0)


def test_metrics_count_requests_by_route_and_status(app, client, world):
    app.config["METRICS_TOKEN"] = METRICS_TOKEN
    world.order("O-1")
    for order_no in ("O-1", "O-1", "O-404"):
        client.get(f"{API}/orders/{order_no}", headers=world.owner.headers)
    client.get("/no/such/page")
    scraped = scrape(client)
    assert scraped.status_code == 200 and scraped.mimetype == "text/plain"
    found = samples(scraped.get_data(as_text=True))
    route = "/api/v1/orders/<order_no:order_no>"
    assert requests_counted(found, route, "200") == 2
    assert requests_counted(found, route, "404") == 1
    assert requests_counted(found, "unmatched", "404") == 1
    latency = ("negotiation_http_request_duration_seconds_count",
               frozenset({"method": "GET", "route": route, "status": "200"}.items()))
    assert found[latency] == 2
    pool = app.extensions["negotiation"].engine.pool
    assert found[("negotiation_db_pool_size", frozenset())] == pool.size()
    assert found[("negotiation_db_pool_checked_out", frozenset())] == 0  # all returned


def test_metrics_refuse_a_scrape_without_the_metrics_token(app, client, world):
    app.config["METRICS_TOKEN"] = METRICS_TOKEN
    for token in (None, "not-the-metrics-token", ADMIN_TOKEN, world.owner.token):
        refused = scrape(client, token)
        assert refused.status_code == 401, token
        assert refused.mimetype == "application/problem+json"
        assert refused.get_json()["code"] == "unauthenticated"
        assert b"negotiation_http_requests" not in refused.get_data()


def test_metrics_are_off_until_a_metrics_token_is_set(client):
    assert scrape(client).status_code == 404


def test_the_sweep_command_counts_what_it_settled(app, client, runner, world, clock):
    app.config["METRICS_TOKEN"] = METRICS_TOKEN
    for order_no in ("O-1", "O-2"):
        world.order(order_no, ship_by=clock.now() + timedelta(hours=1))
    clock.advance(timedelta(hours=2))
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    settled = int(re.search(r"settled (\d+) orders in (\d+) batches", result.output).group(1))
    assert settled == 2
    found = samples(scrape(client).get_data(as_text=True))
    item = ("negotiation_sweep_items_total", frozenset({"item": "orders_settled"}.items()))
    assert found[item] == settled
    assert found[("negotiation_sweep_runs_total", frozenset())] == 1


# --- gunicorn, with the shipped gunicorn.conf.py --------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """The service under gunicorn as operations.md starts it: two workers on SQLite."""

    def __init__(self, workdir: Path) -> None:
        database = workdir / "service.sqlite3"
        engine = build_engine(f"sqlite:///{database}")
        schema.upgrade(engine)  # once, before two workers would both try
        engine.dispose()
        self.port = free_port()
        self.metrics_dir = workdir / "metrics"
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("NEGOTIATION_", "GUNICORN_", "PROMETHEUS_"))
               and name not in ("DATABASE_URL", "WEB_CONCURRENCY", "PORT")}
        env.update({
            "DATABASE_URL": f"sqlite:///{database}", "NEGOTIATION_SECRET_KEY": "gunicorn-test",
            "NEGOTIATION_EVIDENCE_DIR": str(workdir / "evidence"),
            "NEGOTIATION_METRICS_TOKEN": METRICS_TOKEN,
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "2"})
        self.out = (workdir / "gunicorn.out").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT, env=env, stdout=self.out, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.workdir = workdir

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_until_serving(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {seconds} s:\n{self.log()}")

    def workers(self) -> set[int]:
        children: set[int] = set()
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            children |= {int(pid) for pid in (task / "children").read_text().split()}
        return children

    def log(self) -> str:
        self.out.flush()
        return (self.workdir / "gunicorn.out").read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.out.close()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    server = Gunicorn(tmp_path_factory.mktemp("gunicorn"))
    try:
        server.wait_until_serving()
        yield server
    finally:
        server.stop()


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as it is and read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split(" ")[1]), headers, body


def assert_problem_answer(answer: tuple[int, dict[str, str], bytes], status: int) -> None:
    got, headers, body = answer
    assert got == status, body
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status and problem["code"] == "request_too_large"
    assert problem["request_id"] == headers["X-Request-ID"]
    assert b"<html" not in body.lower()


def test_gunicorn_answers_an_overlong_request_line_with_a_problem_document(gunicorn):
    request = b"GET /api/v1/orders/" + b"9" * 5000 + b" HTTP/1.1\r\nHost: test\r\n\r\n"
    assert_problem_answer(raw_exchange(gunicorn.port, request), 414)


def test_gunicorn_answers_an_overlong_header_with_a_problem_document(gunicorn):
    request = (b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Padding: " + b"p" * 9000
               + b"\r\n\r\n")
    assert_problem_answer(raw_exchange(gunicorn.port, request), 431)


def test_gunicorn_answers_too_many_headers_with_a_problem_document(gunicorn):
    headers = b"".join(b"X-Header-%d: x\r\n" % n for n in range(100))
    request = b"GET /healthz HTTP/1.1\r\nHost: test\r\n" + headers + b"\r\n"
    assert_problem_answer(raw_exchange(gunicorn.port, request), 431)


def test_metrics_add_up_every_worker_and_outlive_the_workers_that_died(gunicorn):
    scrape_headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}

    def scraped() -> dict[Any, float]:
        request = urllib.request.Request(gunicorn.url("/metrics"), headers=scrape_headers)
        with urllib.request.urlopen(request, timeout=5) as answer:
            return samples(answer.read().decode())

    before = requests_counted(scraped(), "/healthz", "200")
    for _ in range(12):
        with urllib.request.urlopen(gunicorn.url("/healthz"), timeout=5):
            pass
    first = gunicorn.workers()
    assert len(first) == 2
    for pid in first:  # as a crash would: no clean exit, only gunicorn's child_exit
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = gunicorn.workers()
        if len(now) == 2 and not now & first:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"gunicorn did not replace its workers:\n{gunicorn.log()}")
    gunicorn.wait_until_serving()
    pool_size = ("negotiation_db_pool_size", frozenset())
    found = scraped()
    while found[pool_size] < 2 * 5 and time.monotonic() < deadline:  # both apps loaded
        time.sleep(0.2)
        found = scraped()
    # wait_until_serving's probes after the restart may add to the count, never take away
    assert requests_counted(found, "/healthz", "200") >= before + 12
    # Only the two live workers' pools count: the dead ones' were marked dead.
    assert found[pool_size] == 2 * 5
