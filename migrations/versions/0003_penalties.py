"""Assessment: carrier scans, violations, the penalty ledger and its daily counter,
regional exemptions and extensions, product bans and refunds.

Orders gain ``extended_ship_by``, ``collect_by``, ``assess_at``, ``product_id`` and
``closed_at``; shipments ``collected_at``; stores ``handling_working_days``. Every order
still open is marked due for assessment now: the next sweep (or read) works out its
collection deadline and what it has missed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('daily_deductions',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_daily_deductions_store_id_stores')),
    sa.PrimaryKeyConstraint('store_id', 'day', name=op.f('pk_daily_deductions'))
    )
    op.create_table('regional_exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['accounts.id'], name=op.f('fk_regional_exemptions_created_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regional_exemptions'))
    )
    with op.batch_alter_table('regional_exemptions', schema=None) as batch_op:
        batch_op.create_index('ix_regional_exemptions_region', ['region', 'starts_at'], unique=False)

    op.create_table('regional_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('cause', sa.Enum('high_risk', 'carrier_suspension', name='extensioncause', native_enum=False, length=32), nullable=False),
    sa.Column('suspended_carriers', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['accounts.id'], name=op.f('fk_regional_extensions_created_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regional_extensions'))
    )
    with op.batch_alter_table('regional_extensions', schema=None) as batch_op:
        batch_op.create_index('ix_regional_extensions_region', ['region', 'starts_at'], unique=False)

    op.create_table('product_bans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=64), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_product_bans_order_id_orders')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_product_bans_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_bans')),
    sa.UniqueConstraint('order_id', name=op.f('uq_product_bans_order_id'))
    )
    with op.batch_alter_table('product_bans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_bans_store_id'), ['store_id'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('order_id', name=op.f('uq_refunds_order_id'))
    )
    op.create_table('violations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('late_shipment', 'collection_timeout', name='violationkind', native_enum=False, length=32), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('exempted_by', sa.Enum('agreed_card', 'delay_report', 'regional_exemption', name='exemptedby', native_enum=False, length=32), nullable=True),
    sa.Column('exempted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_violations_order_id_orders')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_violations_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violations')),
    sa.UniqueConstraint('order_id', 'kind', 'due_at', name=op.f('uq_violations_order_id'))
    )
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.create_index('ix_violations_region_due', ['region', 'due_at'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('order_no', sa.String(length=64), nullable=False),
    sa.Column('violation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('deposit_deduction', 'buyer_compensation', 'reversal', name='ledgerkind', native_enum=False, length=32), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('points', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applies_on', sa.Date(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_ledger_entries_order_id_orders')),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_entries.id'], name=op.f('fk_ledger_entries_reverses_id_ledger_entries')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_ledger_entries_store_id_stores')),
    sa.ForeignKeyConstraint(['violation_id'], ['violations.id'], name=op.f('fk_ledger_entries_violation_id_violations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_ledger_entries_reverses_id'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_order_id', ['order_id'], unique=False)
        batch_op.create_index('ix_ledger_entries_store_at', ['store_id', 'at', 'id'], unique=False)

    op.create_table('scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('collected', 'in_transit', 'delivered', name='scankind', native_enum=False, length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_scans_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scans'))
    )
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scans_shipment_id'), ['shipment_id'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extended_ship_by', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('collect_by', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('assess_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('product_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_orders_assess_at', ['assess_at'], unique=False)
        batch_op.create_index('ix_orders_region', ['region'], unique=False)

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('collected_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_working_days', sa.Integer(), nullable=True))

    op.execute("UPDATE orders SET assess_at = paid_at WHERE status <> 'closed'")


def downgrade() -> None:
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.drop_column('handling_working_days')

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_column('collected_at')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_region')
        batch_op.drop_index('ix_orders_assess_at')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('product_id')
        batch_op.drop_column('assess_at')
        batch_op.drop_column('collect_by')
        batch_op.drop_column('extended_ship_by')

    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scans_shipment_id'))

    op.drop_table('scans')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_store_at')
        batch_op.drop_index('ix_ledger_entries_order_id')

    op.drop_table('ledger_entries')
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.drop_index('ix_violations_region_due')

    op.drop_table('violations')
    op.drop_table('refunds')
    with op.batch_alter_table('product_bans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_bans_store_id'))

    op.drop_table('product_bans')
    with op.batch_alter_table('regional_extensions', schema=None) as batch_op:
        batch_op.drop_index('ix_regional_extensions_region')

    op.drop_table('regional_extensions')
    with op.batch_alter_table('regional_exemptions', schema=None) as batch_op:
        batch_op.drop_index('ix_regional_exemptions_region')

    op.drop_table('regional_exemptions')
    op.drop_table('daily_deductions')
