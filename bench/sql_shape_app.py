"""A yardstick between the two targets: the service's SQL, without the service's Python.

``http_throughput.py --sql-shape`` serves this app as a third target. It answers the same
two requests as the service (``POST /api/v1/orders/{no}/negotiation/cards`` and
``POST /api/v1/cards/{id}/accept``, bearer tokens, JSON in and out) against the same
tables, and sends PostgreSQL the same statements in the same transactions as the service
does today (what ``negotiation`` emits through the ORM, counted with SQLAlchemy events):

- both requests: the key lookup in a transaction of its own (pool checkout with its
  pre-ping, ``BEGIN``, ``SELECT`` the live key joined with its account, ``ROLLBACK``; or,
  at most once a minute per key, ``UPDATE`` its ``last_used_at`` and ``COMMIT``);
- propose: ``SELECT`` the order joined with its store and negotiation ``FOR UPDATE OF
  orders``, ``SELECT`` its cards, ``UPDATE negotiations``, ``INSERT`` the card,
  ``INSERT`` one event, ``COMMIT``;
- accept: ``SELECT`` the card's order id, ``SELECT`` the order ``FOR UPDATE``,
  ``SELECT`` its cards, ``INSERT`` three events, ``UPDATE`` the order, the negotiation and
  the card, ``COMMIT``.

But it does it with plain SQLAlchemy Core ``text()`` statements and a few ``if``s instead
of the ORM, flask-smorest/marshmallow and the rule functions. It keeps only the checks the
benchmark's traffic exercises; it is a measuring device, not a second implementation.

With ``SQL_SHAPE=lean`` in the environment (``http_throughput.py --sql-lean``) it instead
sends what a rewritten hot path could: the caller cached per token in the process, and
per request one locking ``SELECT`` (the order with its cards) and one statement that does
all the writes (a data-modifying CTE), so ``BEGIN``, 2 statements, ``COMMIT``.

Whatever separates the service from this app is Python overhead; whatever separates this
app from ``baseline_app.py`` is the database work the use case needs.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import text

from negotiation.adapters.database import build_engine

ACCOUNT = text("""
    SELECT a.id, a.role, a.store_id, k.id AS key_id, k.last_used_at
    FROM api_keys k JOIN accounts a ON a.id = k.account_id
    WHERE k.key_hash = :digest AND k.revoked_at IS NULL
      AND (k.expires_at IS NULL OR k.expires_at > :now)""")
NOTE_KEY_USE = text("""
    UPDATE api_keys SET last_used_at = :now
    WHERE id = :key_id AND (last_used_at IS NULL OR last_used_at < :stale_before)""")
LAST_USED_RESOLUTION = timedelta(seconds=60)
LOCK_ORDER_BY_NO = text("""
    SELECT o.id, o.order_no, o.store_id, o.buyer_id, o.status, o.ship_by, o.original_ship_by,
           s.negotiation_enabled, n.id AS negotiation_id, n.state AS negotiation_state
    FROM orders o JOIN stores s ON s.id = o.store_id JOIN negotiations n ON n.order_id = o.id
    WHERE o.order_no = :order_no FOR UPDATE OF o""")
LOCK_ORDER_BY_ID = text("""
    SELECT o.id, o.order_no, o.store_id, o.buyer_id, o.status, o.ship_by, o.original_ship_by,
           s.negotiation_enabled, n.id AS negotiation_id, n.state AS negotiation_state
    FROM orders o JOIN stores s ON s.id = o.store_id JOIN negotiations n ON n.order_id = o.id
    WHERE o.id = :order_id FOR UPDATE OF o""")
ORDER_OF_CARD = text("SELECT n.order_id FROM negotiations n JOIN cards c "
                     "ON c.negotiation_id = n.id WHERE c.id = :card_id")
CARDS = text("SELECT id, seq, state, proposed_ship_by, reason, remark, sent_by, sent_at, "
             "expires_at, answered_at, buyer_note, preferred_ship_by "
             "FROM cards WHERE negotiation_id = :negotiation_id ORDER BY seq")
SET_NEGOTIATION = text("UPDATE negotiations SET state = :state WHERE id = :id")
INSERT_CARD = text("""
    INSERT INTO cards (negotiation_id, seq, state, proposed_ship_by, reason, remark, sent_by,
                       sent_at, expires_at)
    VALUES (:negotiation_id, :seq, 'pending', :proposed_ship_by, :reason, :remark, :sent_by,
            :sent_at, :expires_at) RETURNING id""")
INSERT_EVENT = text("INSERT INTO events (order_id, at, actor, type, data) "
                    "VALUES (:order_id, :at, :actor, :type, CAST(:data AS JSON))")
INSERT_EVENTS_3 = text(
    "INSERT INTO events (order_id, at, actor, type, data) VALUES "
    "(:order_id, :at, :actor, 'card.accepted', CAST(:d1 AS JSON)), "
    "(:order_id, :at, :actor, 'negotiation.agreed', CAST(:d2 AS JSON)), "
    "(:order_id, :at, :actor, 'order.deadline_changed', CAST(:d3 AS JSON))")
SET_ORDER_DEADLINE = text("UPDATE orders SET ship_by = :ship_by, "
                          "ship_by_source = 'agreed_card' WHERE id = :id")
ACCEPT_CARD = text("UPDATE cards SET state = 'accepted', answered_at = :at WHERE id = :id")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _problem(status: int, code: str) -> Response:
    return Response(json.dumps({"type": "about:blank", "title": code, "status": status,
                                "detail": code, "code": code}),
                    status=status, mimetype="application/problem+json")


LEAN_ORDER_BY_NO = text("""
    SELECT o.id, o.order_no, o.store_id, o.buyer_id, o.status, o.ship_by, o.original_ship_by,
           s.negotiation_enabled, n.id AS negotiation_id, n.state AS negotiation_state,
           (SELECT count(*) FROM cards c WHERE c.negotiation_id = n.id) AS cards_used
    FROM orders o JOIN stores s ON s.id = o.store_id JOIN negotiations n ON n.order_id = o.id
    WHERE o.order_no = :order_no FOR UPDATE OF o""")
LEAN_PROPOSE = text("""
    WITH negotiation AS (
        UPDATE negotiations SET state = 'awaiting_buyer' WHERE id = :negotiation_id),
    card AS (
        INSERT INTO cards (negotiation_id, seq, state, proposed_ship_by, reason, remark,
                           sent_by, sent_at, expires_at)
        VALUES (:negotiation_id, :seq, 'pending', :proposed_ship_by, :reason, :remark,
                :sent_by, :sent_at, :expires_at) RETURNING id),
    event AS (
        INSERT INTO events (order_id, at, actor, type, data)
        SELECT CAST(:order_id AS INTEGER), CAST(:sent_at AS TIMESTAMPTZ),
               CAST(:actor AS VARCHAR), 'card.sent',
               CAST(CAST(:data AS JSONB) || jsonb_build_object('card_id', card.id) AS JSON)
        FROM card)
    SELECT id FROM card""")
LEAN_CARD = text("""
    SELECT c.id, c.seq, c.state, c.proposed_ship_by, c.reason, c.remark, c.sent_by,
           c.sent_at, c.expires_at, c.answered_at, c.buyer_note, c.preferred_ship_by,
           o.id AS order_id, o.order_no, o.buyer_id, o.ship_by, n.id AS negotiation_id
    FROM cards c JOIN negotiations n ON n.id = c.negotiation_id
    JOIN orders o ON o.id = n.order_id
    WHERE c.id = :card_id FOR UPDATE OF o""")
LEAN_ACCEPT = text("""
    WITH card AS (UPDATE cards SET state = 'accepted', answered_at = :at WHERE id = :card_id),
    negotiation AS (UPDATE negotiations SET state = 'agreed' WHERE id = :negotiation_id),
    deadline AS (UPDATE orders SET ship_by = :ship_by, ship_by_source = 'agreed_card'
                 WHERE id = :order_id)
    INSERT INTO events (order_id, at, actor, type, data) VALUES
        (:order_id, :at, :actor, 'card.accepted', CAST(:d1 AS JSON)),
        (:order_id, :at, :actor, 'negotiation.agreed', CAST(:d2 AS JSON)),
        (:order_id, :at, :actor, 'order.deadline_changed', CAST(:d3 AS JSON))""")


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = build_engine(database_url or os.environ["DATABASE_URL"])
    if os.environ.get("SQL_SHAPE") == "lean":
        _lean_routes(app, engine)
        return app

    def caller() -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        digest = hashlib.sha256(token.strip().encode()).hexdigest()
        now = datetime.now(UTC)
        stale_before = now - LAST_USED_RESOLUTION
        with engine.connect() as connection:
            row = connection.execute(ACCOUNT, {"digest": digest, "now": now}).first()
            if row is not None and (row.last_used_at is None
                                    or row.last_used_at < stale_before):
                connection.execute(NOTE_KEY_USE, {"now": now, "key_id": row.key_id,
                                                  "stale_before": stale_before})
                connection.commit()
            else:
                connection.rollback()
        return row

    def card_body(card: Any, order_no: str) -> dict[str, Any]:
        return {"id": card["id"], "order_no": order_no, "seq": card["seq"],
                "state": card["state"], "proposed_ship_by": _iso(card["proposed_ship_by"]),
                "reason": card["reason"], "remark": card["remark"],
                "sent_by": card["sent_by"], "sent_at": _iso(card["sent_at"]),
                "expires_at": _iso(card["expires_at"]),
                "answered_at": _iso(card["answered_at"]), "buyer_note": card["buyer_note"],
                "preferred_ship_by": _iso(card["preferred_ship_by"])}

    @app.post("/api/v1/orders/<order_no>/negotiation/cards")
    def propose(order_no: str) -> Response:
        who = caller()
        if who is None:
            return _problem(401, "unauthenticated")
        body = request.get_json(silent=True) or {}
        try:
            proposed = datetime.fromisoformat(body["proposed_ship_by"]).astimezone(UTC)
        except (KeyError, TypeError, ValueError):
            return _problem(422, "validation_error")
        now = datetime.now(UTC)
        with engine.begin() as connection:
            order = connection.execute(LOCK_ORDER_BY_NO, {"order_no": order_no}).mappings().first()
            if order is None or order["store_id"] != who.store_id:
                return _problem(404, "not_found")
            cards = connection.execute(
                CARDS, {"negotiation_id": order["negotiation_id"]}).mappings().all()
            if (not order["negotiation_enabled"] or order["status"] != "awaiting_shipment"
                    or order["negotiation_state"] != "open" or len(cards) >= 3):
                return _problem(409, "refused")
            if not order["ship_by"] < proposed <= order["original_ship_by"] + timedelta(days=30):
                return _problem(422, "proposal_out_of_range")
            connection.execute(SET_NEGOTIATION, {"state": "awaiting_buyer",
                                                 "id": order["negotiation_id"]})
            card = {"seq": len(cards) + 1, "state": "pending", "proposed_ship_by": proposed,
                    "reason": str(body.get("reason", "other")),
                    "remark": str(body.get("remark", "")), "sent_by": who.id, "sent_at": now,
                    "expires_at": min(now + timedelta(hours=24), order["ship_by"]),
                    "answered_at": None, "buyer_note": None, "preferred_ship_by": None}
            card["id"] = connection.execute(INSERT_CARD, {
                "negotiation_id": order["negotiation_id"], **card}).scalar_one()
            connection.execute(INSERT_EVENT, {
                "order_id": order["id"], "at": now, "actor": str(who.id), "type": "card.sent",
                "data": json.dumps({"card_id": card["id"], "seq": card["seq"],
                                    "proposed_ship_by": proposed.isoformat(),
                                    "reason": card["reason"],
                                    "expires_at": card["expires_at"].isoformat()})})
        return _json(card_body(card, order_no), 201)

    @app.post("/api/v1/cards/<int:card_id>/accept")
    def accept(card_id: int) -> Response:
        who = caller()
        if who is None:
            return _problem(401, "unauthenticated")
        now = datetime.now(UTC)
        with engine.begin() as connection:
            order_id = connection.execute(ORDER_OF_CARD, {"card_id": card_id}).scalar()
            order = (None if order_id is None else connection.execute(
                LOCK_ORDER_BY_ID, {"order_id": order_id}).mappings().first())
            if order is None or order["buyer_id"] != who.id:
                return _problem(404, "not_found")
            cards = connection.execute(
                CARDS, {"negotiation_id": order["negotiation_id"]}).mappings().all()
            card = next((dict(c) for c in cards if c["id"] == card_id), None)
            if card is None or card["state"] != "pending" or now >= card["expires_at"]:
                return _problem(409, "card_not_pending")
            agreed = card["proposed_ship_by"]
            data = {"card_id": card_id, "seq": card["seq"],
                    "proposed_ship_by": agreed.isoformat()}
            connection.execute(INSERT_EVENTS_3, {
                "order_id": order["id"], "at": now, "actor": str(who.id),
                "d1": json.dumps(data),
                "d2": json.dumps({"agreed_ship_by": agreed.isoformat()}),
                "d3": json.dumps({"from": order["ship_by"].isoformat(),
                                  "to": agreed.isoformat(), "source": "agreed_card"})})
            connection.execute(SET_ORDER_DEADLINE, {"ship_by": agreed, "id": order["id"]})
            connection.execute(SET_NEGOTIATION, {"state": "agreed",
                                                 "id": order["negotiation_id"]})
            connection.execute(ACCEPT_CARD, {"at": now, "id": card_id})
            card.update(state="accepted", answered_at=now)
        return _json(card_body(card, order["order_no"]), 200)

    @app.get("/healthz")
    def healthz() -> Response:
        return _json({"status": "ok"}, 200)

    return app


def _lean_routes(app: Flask, engine: Any) -> None:
    known: dict[str, Any] = {}

    def caller() -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        digest = hashlib.sha256(token.strip().encode()).hexdigest()
        if digest not in known:
            with engine.connect() as connection:
                known[digest] = connection.execute(
                    ACCOUNT, {"digest": digest, "now": datetime.now(UTC)}).first()
                connection.rollback()
        return known[digest]

    @app.post("/api/v1/orders/<order_no>/negotiation/cards")
    def propose(order_no: str) -> Response:
        who = caller()
        if who is None:
            return _problem(401, "unauthenticated")
        body = request.get_json(silent=True) or {}
        try:
            proposed = datetime.fromisoformat(body["proposed_ship_by"]).astimezone(UTC)
        except (KeyError, TypeError, ValueError):
            return _problem(422, "validation_error")
        now = datetime.now(UTC)
        with engine.begin() as connection:
            order = connection.execute(LEAN_ORDER_BY_NO,
                                       {"order_no": order_no}).mappings().first()
            if order is None or order["store_id"] != who.store_id:
                return _problem(404, "not_found")
            if (not order["negotiation_enabled"] or order["status"] != "awaiting_shipment"
                    or order["negotiation_state"] != "open" or order["cards_used"] >= 3):
                return _problem(409, "refused")
            if not order["ship_by"] < proposed <= order["original_ship_by"] + timedelta(days=30):
                return _problem(422, "proposal_out_of_range")
            card = {"seq": order["cards_used"] + 1, "state": "pending",
                    "proposed_ship_by": proposed, "reason": str(body.get("reason", "other")),
                    "remark": str(body.get("remark", "")), "sent_by": who.id, "sent_at": now,
                    "expires_at": min(now + timedelta(hours=24), order["ship_by"]),
                    "answered_at": None, "buyer_note": None, "preferred_ship_by": None}
            card["id"] = connection.execute(LEAN_PROPOSE, {
                "negotiation_id": order["negotiation_id"], "order_id": order["id"],
                "actor": str(who.id), **card,
                "data": json.dumps({"seq": card["seq"],
                                    "proposed_ship_by": proposed.isoformat(),
                                    "reason": card["reason"],
                                    "expires_at": card["expires_at"].isoformat()})}
            ).scalar_one()
        return _json({"id": card["id"], "order_no": order_no, "seq": card["seq"],
                      "state": "pending", "proposed_ship_by": _iso(proposed),
                      "reason": card["reason"], "remark": card["remark"],
                      "sent_by": who.id, "sent_at": _iso(now),
                      "expires_at": _iso(card["expires_at"]), "answered_at": None,
                      "buyer_note": None, "preferred_ship_by": None}, 201)

    @app.post("/api/v1/cards/<int:card_id>/accept")
    def accept(card_id: int) -> Response:
        who = caller()
        if who is None:
            return _problem(401, "unauthenticated")
        now = datetime.now(UTC)
        with engine.begin() as connection:
            card = connection.execute(LEAN_CARD, {"card_id": card_id}).mappings().first()
            if card is None or card["buyer_id"] != who.id:
                return _problem(404, "not_found")
            if card["state"] != "pending" or now >= card["expires_at"]:
                return _problem(409, "card_not_pending")
            agreed = card["proposed_ship_by"]
            connection.execute(LEAN_ACCEPT, {
                "card_id": card_id, "negotiation_id": card["negotiation_id"],
                "order_id": card["order_id"], "ship_by": agreed, "at": now,
                "actor": str(who.id),
                "d1": json.dumps({"card_id": card_id, "seq": card["seq"],
                                  "proposed_ship_by": agreed.isoformat()}),
                "d2": json.dumps({"agreed_ship_by": agreed.isoformat()}),
                "d3": json.dumps({"from": card["ship_by"].isoformat(),
                                  "to": agreed.isoformat(), "source": "agreed_card"})})
        body = {key: card[key] for key in ("id", "seq", "reason", "remark", "sent_by",
                                           "buyer_note")}
        body.update(order_no=card["order_no"], state="accepted",
                    proposed_ship_by=_iso(agreed), sent_at=_iso(card["sent_at"]),
                    expires_at=_iso(card["expires_at"]), answered_at=_iso(now),
                    preferred_ship_by=_iso(card["preferred_ship_by"]))
        return _json(body, 200)

    @app.get("/healthz")
    def healthz() -> Response:
        return _json({"status": "ok"}, 200)


app = create_app() if "DATABASE_URL" in os.environ else None
