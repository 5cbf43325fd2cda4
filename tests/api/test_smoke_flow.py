from datetime import timedelta

from tests.conftest import START


def iso(dt):
    return dt.isoformat().replace("+00:00", "Z")


def test_a_seller_proposes_and_the_buyer_accepts_through_the_api(client, world):
    world.order("O-1")
    response = client.post("/api/v1/orders/O-1/negotiation/cards", headers=world.owner.headers,
                           json={"proposed_ship_by": iso(START + timedelta(days=5)),
                                 "reason": "custom_made", "remark": "engraving"})
    assert response.status_code == 201, response.json
    card = response.json
    assert card["state"] == "pending" and card["seq"] == 1
    assert card["expires_at"] == iso(START + timedelta(hours=24))

    negotiation = client.get("/api/v1/orders/O-1/negotiation", headers=world.buyer.headers).json
    assert negotiation["state"] == "awaiting_buyer"
    assert negotiation["actions"]["accept"] == {"allowed": True, "reason": None, "detail": None,
                                                "until": card["expires_at"]}

    accepted = client.post(f"/api/v1/cards/{card['id']}/accept", headers=world.buyer.headers)
    assert accepted.status_code == 200, accepted.json
    order = client.get("/api/v1/orders/O-1", headers=world.owner.headers).json
    assert order["ship_by"] == iso(START + timedelta(days=5))
    assert order["ship_by_source"] == "agreed_card"
