"""Probes and the API's own description: /healthz, /readyz, the OpenAPI document, /api/docs."""

import dataclasses
import json
import re

import pytest

import negotiation.api
from negotiation import create_app
from negotiation.adapters.database import build_engine

CONTRACT_PATHS = {
    "/api/v1/stores": {"post"},
    "/api/v1/accounts": {"post"},
    "/api/v1/orders": {"post", "get"},
    "/api/v1/orders/{order_no}": {"get"},
    "/api/v1/orders/{order_no}/negotiation": {"get"},
    "/api/v1/orders/{order_no}/negotiation/cards": {"post"},
    "/api/v1/cards/{card_id}": {"get"},
    "/api/v1/cards/{card_id}/accept": {"post"},
    "/api/v1/cards/{card_id}/reject": {"post"},
    "/api/v1/cards/{card_id}/withdraw": {"post"},
    "/api/v1/orders/{order_no}/shipments": {"post"},
    "/api/v1/orders/{order_no}/events": {"get"},
    "/api/v1/delay-reports": {"post", "get"},
    "/api/v1/delay-reports/{report_id}": {"get"},
    "/api/v1/delay-reports/{report_id}/evidence": {"post"},
    "/api/v1/delay-reports/{report_id}/evidence/{evidence_id}": {"get"},
    "/api/v1/delay-reports/{report_id}/approve": {"post"},
    "/api/v1/delay-reports/{report_id}/reject": {"post"},
    "/api/v1/delay-reports/{report_id}/withdraw": {"post"},
}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_the_process_answers_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_readyz_answers_200_when_the_database_is_reachable(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_readyz_answers_503_when_the_database_is_not_reachable(client, app, tmp_path):
    runtime = app.extensions["negotiation"]
    broken = build_engine(f"sqlite:///{tmp_path}/missing-dir/nothing.sqlite3")
    app.extensions["negotiation"] = dataclasses.replace(runtime, engine=broken)
    try:
        response = client.get("/readyz")
    finally:
        app.extensions["negotiation"] = runtime
        broken.dispose()
    assert response.status_code == 503


def test_the_openapi_document_is_valid_json_of_openapi_3(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"]
    assert spec["info"]["version"]


def test_the_openapi_document_lists_every_path_of_the_contract_that_exists(spec):
    for path, methods in CONTRACT_PATHS.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), (path, set(spec["paths"][path]))


def test_the_openapi_document_describes_bearer_auth_and_problem_responses(spec):
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    responses = spec["paths"]["/api/v1/orders/{order_no}/negotiation/cards"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(responses)
    assert "application/problem+json" in responses["409"]["content"]


def test_the_components_keep_the_contracts_names_whatever_the_classes_are_called(spec):
    """``OrderOut`` (named so beside the ``Order`` model) is the ``Order`` component."""
    names = set(spec["components"]["schemas"])
    assert {"Order", "Shipment", "Card", "Negotiation", "DelayReport", "ApiKey", "Store",
            "Event", "DelayReportDetail", "NewApiKey"} <= names
    assert not {"OrderOut", "ShipmentOut", "CardOut", "NegotiationOut", "DelayReportOut",
                "ApiKeyOut", "StoreOut", "EventOut"} & names
    created = spec["paths"]["/api/v1/orders"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Order"}


def test_an_app_serves_the_same_document_whether_it_built_it_or_found_it_built(
        app, clock, tmp_path, monkeypatch):
    monkeypatch.setattr(negotiation.api, "_DOCUMENTS", {})  # the next app builds its own
    config = {**app.config, "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}"}
    built = create_app(config, clock=clock)
    assert negotiation.api._DOCUMENTS, "the document was not kept for the next app"
    reused = create_app(config, clock=clock)

    documents = [a.test_client().get("/api/v1/openapi.json").get_json()
                 for a in (built, reused)]
    assert documents[0] == documents[1]
    assert documents[0]["paths"].keys() >= CONTRACT_PATHS.keys()
    for each in (built, reused):
        each.extensions["negotiation"].engine.dispose()


def test_the_openapi_document_is_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_the_browsable_docs_answer_html_without_a_token(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "/api/v1/openapi.json" in response.get_data(as_text=True)


def test_the_browsable_docs_load_every_script_and_style_from_the_service_itself(client):
    """No CDN: the docs work on a network that reaches only the service."""
    page = client.get("/api/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sorted(a.rsplit("/", 1)[1] for a in assets) == [
        "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"]
    for asset in assets:
        assert asset.startswith("/api/docs/assets/"), asset
        with client.get(asset) as response:  # a file: closed when read
            assert response.status_code == 200, asset
            assert response.mimetype in ("text/javascript", "text/css"), asset
            assert len(response.get_data()) > 10_000, asset


def test_a_missing_docs_asset_is_a_not_found_problem(client):
    response = client.get("/api/docs/assets/no-such-file.js")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_problems_type_leads_to_a_page_naming_its_code(client, world):
    problem = client.get("/api/v1/orders/none", headers=world.owner.headers).get_json()
    page, _, fragment = problem["type"].partition("#")
    assert fragment == "not_found"
    response = client.get(page)
    assert response.status_code == 200
    assert "not_found" in response.get_data(as_text=True)
