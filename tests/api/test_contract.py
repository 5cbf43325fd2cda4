"""The OpenAPI document tells the truth: a contract tester finds no failure in it.

Schemathesis reads the document the app serves and sends what it describes — examples,
generated valid and invalid requests, and stateful sequences along the links between
operations — as an admin, a store owner and a buyer, checking every answer against the
document with all of its checks. The app is served over HTTP on 127.0.0.1 from a thread,
on the test's own database, with some data in it for the requests to find.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, from_schema
from schemathesis.engine.events import FuzzScenarioFinished, NonFatalError, ScenarioFinished
from werkzeug.serving import make_server

from tests.api.helpers import API, sent_card
from tests.api.report_helpers import file_shipment
from tests.conftest import ADMIN_TOKEN, START

# Enough to reach every branch the schemas describe, few enough for a suite run.
EXAMPLES_PER_OPERATION = 12
STATEFUL_STEPS = 12
ENDS_A_KEY = r"/keys/\{key_id\}/(revoke|rotate)$"


@pytest.fixture
def served(app, world) -> Iterator[str]:
    """The app on an ephemeral port, with orders, a pending card and a report to find."""
    client = app.test_client()
    for number in range(1, 4):
        world.order(f"O-{number}")
    world.order("TB-20261122-0001")  # the order the document's examples name
    sent_card(client, world, "O-1")
    assert file_shipment(client, world.owner, "O-2",
                         latest=START + timedelta(days=4)).status_code == 201
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def contract_failures(base_url: str, token: str) -> list[str]:
    """Every failed check and engine error of one full run, one line each."""
    config = SchemathesisConfig.from_dict({
        "seed": 20261122,
        "generation": {"max-examples": EXAMPLES_PER_OPERATION},
        "phases": {"stateful": {"max-steps": STATEFUL_STEPS}},
        "headers": {"Authorization": f"Bearer {token}"},
        "checks": {
            "enabled": True,
            # A request the schemas admit can still break a rule no schema can state: a
            # time relative to the clock or to another field, a store that does not
            # exist, two fields that exclude each other. The service answers those 422
            # naming the field (tests/api/test_hostile_input.py and the rule tests).
            "positive_data_acceptance": {"expected-statuses": [
                "2xx", "3xx", "401", "403", "404", "409", "422", "429"]},
        },
    })
    schema = schemathesis.openapi.from_url(f"{base_url}{API}/openapi.json", config=config)
    # Revoking or rotating a key may end the very key the tester calls with (an owner may
    # revoke its own): those operations go last, in a run of their own.
    failures: set[str] = set()
    for part in (schema.exclude(path_regex=ENDS_A_KEY), schema.include(path_regex=ENDS_A_KEY)):
        failures.update(_failures_of(part))
    return sorted(failures)


def _failures_of(schema) -> set[str]:
    failures: set[str] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, NonFatalError):
            failures.add(f"error in {event.label}: {event.info.message}")
        elif isinstance(event, ScenarioFinished | FuzzScenarioFinished) and event.status in (
                Status.FAILURE, Status.ERROR):
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status is Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.add(f"{event.recorder.label}: {check.name}: {failure.title}"
                                     f"\n    {failure.message}\n    {_request_of(check)}")
    return failures


def _request_of(check) -> str:
    lines = check.failure_info.code_sample.splitlines()
    return " ".join(line.strip() for line in lines)[:600]


@pytest.mark.parametrize("role", ["admin", "owner", "buyer"])
def test_the_contract_tester_finds_no_failure(served, world, role):
    token = {"admin": ADMIN_TOKEN, "owner": world.owner.token, "buyer": world.buyer.token}[role]
    failures = contract_failures(served, token)
    assert not failures, "\n".join(failures)
