"""Notifications: webhook endpoints, their secrets, deliveries and attempts; inbox reads;
the store of each event; the expiring-soon notice of each card. And ``lock_negotiation()``
goes: every use case reads and writes through the ORM.

``events.store_id`` is filled from each event's order, so who may see an event and which
endpoints it goes to need no join; ``events.order_id`` becomes optional, for what happens
to no order (an endpoint disabled, a key revoked).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from importlib import import_module

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("DROP FUNCTION lock_negotiation(text, integer)")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('store_id', sa.Integer(), nullable=True))
        batch_op.alter_column('order_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_events_store_id_stores'), 'stores',
                                    ['store_id'], ['id'])
    op.execute("UPDATE events SET store_id = "
               "(SELECT orders.store_id FROM orders WHERE orders.id = events.order_id)")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_store_id_txid_id', ['store_id', 'txid', 'id'],
                              unique=False)
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_noticed_at', UTCDateTime(), nullable=True))

    op.create_table(
        'webhook_endpoints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('url', sa.String(length=2048), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=False),
        sa.Column('event_types', sa.JSON(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('disabled_reason', sa.String(length=500), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('deleted_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['accounts.id'],
                                name=op.f('fk_webhook_endpoints_created_by_accounts')),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_webhook_endpoints_store_id_stores')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints')))
    op.create_index('ix_webhook_endpoints_store_id_id', 'webhook_endpoints',
                    ['store_id', 'id'], unique=False)
    op.create_table(
        'webhook_secrets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('sealed', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('retires_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'],
                                name=op.f('fk_webhook_secrets_endpoint_id_webhook_endpoints'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_secrets')))
    op.create_index(op.f('ix_webhook_secrets_endpoint_id'), 'webhook_secrets',
                    ['endpoint_id'], unique=False)
    op.create_table(
        'webhook_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=True),
        sa.Column('lease_token', sa.String(length=32), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['endpoint_id'], ['webhook_endpoints.id'],
            name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_webhook_deliveries_event_id_events')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
        sa.UniqueConstraint('endpoint_id', 'event_id',
                            name=op.f('uq_webhook_deliveries_endpoint_id')))
    op.create_index('ix_webhook_deliveries_due', 'webhook_deliveries', ['next_attempt_at'],
                    unique=False, sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_table(
        'webhook_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('latency_ms', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('response_excerpt', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['delivery_id'], ['webhook_deliveries.id'],
            name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts')),
        sa.UniqueConstraint('delivery_id', 'number',
                            name=op.f('uq_webhook_attempts_delivery_id')))
    op.create_table(
        'inbox_reads',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('read_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'],
                                name=op.f('fk_inbox_reads_account_id_accounts')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_inbox_reads_event_id_events')),
        sa.PrimaryKeyConstraint('account_id', 'event_id', name=op.f('pk_inbox_reads')))


def downgrade() -> None:
    op.drop_table('inbox_reads')
    op.drop_table('webhook_attempts')
    op.drop_index('ix_webhook_deliveries_due', table_name='webhook_deliveries',
                  sqlite_where=PENDING, postgresql_where=PENDING)
    op.drop_table('webhook_deliveries')
    op.drop_index(op.f('ix_webhook_secrets_endpoint_id'), table_name='webhook_secrets')
    op.drop_table('webhook_secrets')
    op.drop_index('ix_webhook_endpoints_store_id_id', table_name='webhook_endpoints')
    op.drop_table('webhook_endpoints')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('expiry_noticed_at')
    # Events of no order have nowhere to go in the older schema.
    op.execute("DELETE FROM events WHERE order_id IS NULL")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_store_id_txid_id')
        batch_op.drop_constraint(batch_op.f('fk_events_store_id_stores'), type_='foreignkey')
        batch_op.drop_column('store_id')
        batch_op.alter_column('order_id', existing_type=sa.Integer(), nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(import_module("migrations.versions.0005_lock_negotiation").CREATE)
