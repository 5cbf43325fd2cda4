"""The change feed: each event carries the id of the transaction that wrote it.

The feed (``GET /api/v1/events``) serves events in (transaction, id) order, and only
those of transactions older than every transaction still running, so that an event
whose transaction commits after a later-numbered one is still delivered (see
``models.records.WritingTransaction``).

The column is added with the constant default 0 first: PostgreSQL then adds it without
rewriting the table, and the events already stored — all committed before any reader of
the feed existed — read as transaction 0, in id order, ahead of everything written
later. Only then does PostgreSQL's default become the writing transaction's id. SQLite
keeps 0: one writer at a time makes commit order id order there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

WRITING_TRANSACTION = "pg_current_xact_id()::text::bigint"


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('txid', sa.BigInteger(), server_default=sa.text('0'),
                                      nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column('events', 'txid', existing_type=sa.BigInteger(),
                        existing_nullable=False,
                        server_default=sa.text(WRITING_TRANSACTION))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_txid_id', ['txid', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_txid_id')
        batch_op.drop_column('txid')
