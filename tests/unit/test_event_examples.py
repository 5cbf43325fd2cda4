"""The recorded event examples and docs/events.md: complete, fresh, and true to the rules
of who sees what."""

from __future__ import annotations

import re

import pytest
from apispec import APISpec

from negotiation import event_examples
from negotiation.api import event_docs
from negotiation.domain.audience import BUYERS
from negotiation.domain.event_types import CATALOGUE

STALE = "run `python -m negotiation.event_examples` and commit what it writes"
SECTION = re.compile(r"^### `([^`]+)`\n\n.*?^Seen by the buyer: (yes|no)\b", re.M | re.S)
NEVER_SEEN = re.compile(r"A buyer never sees:\s+(.*?)\.\n", re.S)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The examples file and the page as the generator writes them now."""
    return event_examples.generate(tmp_path_factory.mktemp("event-examples"))


def test_every_type_of_the_catalogue_has_an_example_and_nothing_else_does():
    examples = event_docs.load_examples()
    assert list(examples) == list(CATALOGUE)
    assert all(example["type"] == event_type for event_type, example in examples.items())


def test_the_committed_examples_are_what_the_services_record_now(generated):
    examples, _ = generated
    assert event_examples.EXAMPLES.read_text(encoding="utf-8") == examples, STALE


def test_the_committed_page_is_generated_from_the_current_examples(generated):
    _, page = generated
    assert event_examples.DOCUMENT.read_text(encoding="utf-8") == page, STALE


def test_the_page_says_a_buyer_sees_exactly_what_its_audience_lets_it_see():
    page = event_examples.DOCUMENT.read_text(encoding="utf-8")
    stated = {event_type: seen == "yes" for event_type, seen in SECTION.findall(page)}
    assert stated == {t: BUYERS.may_see(t) for t in CATALOGUE}
    listed = NEVER_SEEN.search(page)
    assert listed is not None
    never = set(re.findall(r"`([^`]+)`", listed.group(1)))
    assert never == {t for t in CATALOGUE if not BUYERS.may_see(t)}


def test_events_of_no_order_are_none_a_buyer_may_see():
    examples = event_docs.load_examples()
    assert not [t for t, e in examples.items() if e["order_no"] is None and BUYERS.may_see(t)]


def test_the_openapi_document_has_a_schema_per_type_and_a_webhook_event_of_them_all():
    spec = APISpec("events", "v1", "3.0.3")
    event_docs.register(spec)
    schemas = spec.to_dict()["components"]["schemas"]
    mapping = schemas["WebhookEvent"]["discriminator"]["mapping"]
    assert list(mapping) == list(CATALOGUE)
    for event_type, ref in mapping.items():
        schema = schemas[ref.rsplit("/", 1)[1]]
        assert schema["properties"]["type"]["enum"] == [event_type]
        assert set(schema["properties"]["data"]["properties"]) == set(
            schema["example"]["data"])
    assert spec.to_dict()["x-webhooks"]["event"]["post"]["requestBody"]["content"][
        "application/json"]["schema"] == {"$ref": "#/components/schemas/WebhookEvent"}
