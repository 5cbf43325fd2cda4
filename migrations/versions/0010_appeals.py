"""Appeals: a store's appeal of a recorded violation, its evidence.

Revision ID: 0010
Revises: 0008 (to be re-chained onto 0009)
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'appeals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('violation_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('order_no', sa.String(length=64), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Enum(
            'deadline_was_met', 'carrier_fault', 'platform_fault', 'force_majeure',
            'buyer_requested', 'other', name='appealreason', native_enum=False, length=32),
            nullable=False),
        sa.Column('state', sa.Enum('pending_review', 'upheld', 'overturned',
                                   name='appealstate', native_enum=False, length=32),
                  nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('submitted_by', sa.Integer(), nullable=False),
        sa.Column('submitted_at', UTCDateTime(), nullable=False),
        sa.Column('review_due_at', UTCDateTime(), nullable=False),
        sa.Column('reviewed_by', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', UTCDateTime(), nullable=True),
        sa.Column('review_note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['violation_id'], ['violations.id'],
                                name=op.f('fk_appeals_violation_id_violations')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_appeals_order_id_orders')),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_appeals_store_id_stores')),
        sa.ForeignKeyConstraint(['submitted_by'], ['accounts.id'],
                                name=op.f('fk_appeals_submitted_by_accounts')),
        sa.ForeignKeyConstraint(['reviewed_by'], ['accounts.id'],
                                name=op.f('fk_appeals_reviewed_by_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
        sa.UniqueConstraint('violation_id', name=op.f('uq_appeals_violation_id')))
    op.create_index(op.f('ix_appeals_order_id'), 'appeals', ['order_id'], unique=False)
    op.create_index('ix_appeals_state_due', 'appeals', ['state', 'review_due_at', 'id'],
                    unique=False)
    op.create_index('ix_appeals_store_due', 'appeals', ['store_id', 'review_due_at', 'id'],
                    unique=False)
    op.create_table(
        'appeal_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('appeal_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=200), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'],
                                name=op.f('fk_appeal_evidence_appeal_id_appeals')),
        sa.ForeignKeyConstraint(['uploaded_by'], ['accounts.id'],
                                name=op.f('fk_appeal_evidence_uploaded_by_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_evidence')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_appeal_evidence_storage_key')))
    op.create_index(op.f('ix_appeal_evidence_appeal_id'), 'appeal_evidence', ['appeal_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_appeal_evidence_appeal_id'), table_name='appeal_evidence')
    op.drop_table('appeal_evidence')
    op.drop_index('ix_appeals_store_due', table_name='appeals')
    op.drop_index('ix_appeals_state_due', table_name='appeals')
    op.drop_index(op.f('ix_appeals_order_id'), table_name='appeals')
    op.drop_table('appeals')
