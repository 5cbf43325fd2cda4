"""Delay reports: reports, the orders they name, evidence and review history.

Also the latest times approved reports set: ``orders.reported_ship_by`` and
``shipments.reported_collect_by``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delay_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('shipment', 'collection', 'store', name='reportkind', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sa.Enum('large_conference', 'major_event', 'natural_disaster', 'merchant_factor', 'special_order', 'dual_address', 'epidemic_control', 'buyer_requested', 'stock_shortage', name='reportreason', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending_review', 'approved', 'rejected', 'withdrawn', name='reportstatus', native_enum=False, length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('latest_ship_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('latest_collect_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['reviewed_by'], ['accounts.id'], name=op.f('fk_delay_reports_reviewed_by_accounts')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_delay_reports_store_id_stores')),
    sa.ForeignKeyConstraint(['submitted_by'], ['accounts.id'], name=op.f('fk_delay_reports_submitted_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delay_reports'))
    )
    with op.batch_alter_table('delay_reports', schema=None) as batch_op:
        batch_op.create_index('ix_delay_reports_status_due', ['status', 'review_due_at', 'id'], unique=False)
        batch_op.create_index('ix_delay_reports_store_due', ['store_id', 'review_due_at', 'id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['delay_reports.id'], name=op.f('fk_evidence_report_id_delay_reports')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['accounts.id'], name=op.f('fk_evidence_uploaded_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_evidence_storage_key'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_report_id'), ['report_id'], unique=False)

    op.create_table('report_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['delay_reports.id'], name=op.f('fk_report_history_report_id_delay_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_history'))
    )
    with op.batch_alter_table('report_history', schema=None) as batch_op:
        batch_op.create_index('ix_report_history_report_id_id', ['report_id', 'id'], unique=False)

    op.create_table('report_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('order_no', sa.String(length=64), nullable=False),
    sa.Column('tracking_no', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_report_items_order_id_orders')),
    sa.ForeignKeyConstraint(['report_id'], ['delay_reports.id'], name=op.f('fk_report_items_report_id_delay_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_items')),
    sa.UniqueConstraint('report_id', 'order_id', name=op.f('uq_report_items_report_id'))
    )
    with op.batch_alter_table('report_items', schema=None) as batch_op:
        batch_op.create_index('ix_report_items_order_id', ['order_id'], unique=False)
        batch_op.create_index('ix_report_items_tracking_no', ['tracking_no'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reported_ship_by', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reported_collect_by', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_column('reported_collect_by')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('reported_ship_by')

    with op.batch_alter_table('report_items', schema=None) as batch_op:
        batch_op.drop_index('ix_report_items_tracking_no')
        batch_op.drop_index('ix_report_items_order_id')

    op.drop_table('report_items')
    with op.batch_alter_table('report_history', schema=None) as batch_op:
        batch_op.drop_index('ix_report_history_report_id_id')

    op.drop_table('report_history')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_report_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('delay_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_delay_reports_store_due')
        batch_op.drop_index('ix_delay_reports_status_due')

    op.drop_table('delay_reports')
