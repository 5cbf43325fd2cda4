"""``lock_negotiation()``: lock an order and read its negotiation in one call (PostgreSQL).

Sending and answering a card lock the order, then read it with its cards in a statement
of its own: a statement that waited for the lock would still see the cards from before
the change it waited for. As a function the two statements cost one round trip (see
``negotiation/adapters/card_hot_path.py``). Its result columns take the types of the
table columns they return; a migration that changes one of those columns recreates it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

CREATE = """
CREATE FUNCTION lock_negotiation(by_order_no text, by_card_id integer)
RETURNS TABLE (
    id orders.id%TYPE, order_no orders.order_no%TYPE, store_id orders.store_id%TYPE,
    buyer_id orders.buyer_id%TYPE, kind orders.kind%TYPE, status orders.status%TYPE,
    original_ship_by orders.original_ship_by%TYPE, ship_by orders.ship_by%TYPE,
    ship_by_source orders.ship_by_source%TYPE, reported_ship_by orders.reported_ship_by%TYPE,
    extended_ship_by orders.extended_ship_by%TYPE, shipped_at orders.shipped_at%TYPE,
    assess_at orders.assess_at%TYPE,
    negotiation_enabled stores.negotiation_enabled%TYPE,
    negotiation_id negotiations.id%TYPE, negotiation_state negotiations.state%TYPE,
    card_seq cards.seq%TYPE, card_state cards.state%TYPE,
    proposed_ship_by cards.proposed_ship_by%TYPE, reason cards.reason%TYPE,
    remark cards.remark%TYPE, sent_by cards.sent_by%TYPE, sent_at cards.sent_at%TYPE,
    expires_at cards.expires_at%TYPE, card_id cards.id%TYPE,
    answered_at cards.answered_at%TYPE, buyer_note cards.buyer_note%TYPE,
    preferred_ship_by cards.preferred_ship_by%TYPE)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    locked_id integer;
BEGIN
    IF by_order_no IS NOT NULL THEN
        SELECT orders.id INTO locked_id FROM orders
        WHERE orders.order_no = by_order_no FOR UPDATE;
    ELSE
        SELECT orders.id INTO locked_id FROM orders
        WHERE orders.id = (SELECT negotiations.order_id FROM negotiations
                           JOIN cards ON cards.negotiation_id = negotiations.id
                           WHERE cards.id = by_card_id)
        FOR UPDATE;
    END IF;
    IF locked_id IS NULL THEN
        RETURN;
    END IF;
    -- A statement of its own, so a snapshot taken after the lock was granted.
    RETURN QUERY
        SELECT orders.id, orders.order_no, orders.store_id, orders.buyer_id, orders.kind,
               orders.status, orders.original_ship_by, orders.ship_by, orders.ship_by_source,
               orders.reported_ship_by, orders.extended_ship_by, orders.shipped_at,
               orders.assess_at, stores.negotiation_enabled, negotiations.id,
               negotiations.state, cards.seq, cards.state, cards.proposed_ship_by,
               cards.reason, cards.remark, cards.sent_by, cards.sent_at, cards.expires_at,
               cards.id, cards.answered_at, cards.buyer_note, cards.preferred_ship_by
        FROM orders
        JOIN stores ON stores.id = orders.store_id
        JOIN negotiations ON negotiations.order_id = orders.id
        LEFT JOIN cards ON cards.negotiation_id = negotiations.id
        WHERE orders.id = locked_id
        ORDER BY cards.seq;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION lock_negotiation(text, integer)")
