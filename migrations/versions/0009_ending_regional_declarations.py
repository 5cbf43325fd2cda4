"""Regional exemptions and extensions can be ended early: who ended one and when.

Ending brings a declaration's ``ends_at`` back to the instant it was ended, so the rules
that read the window need nothing new; ``ended_at`` and ``ended_by`` say that it was
ended and by whom, for the lists.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = ('regional_exemptions', 'regional_extensions')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('ended_at', UTCDateTime(), nullable=True))
            batch_op.add_column(sa.Column('ended_by', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_ended_by_accounts'),
                                        'accounts', ['ended_by'], ['id'])


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_ended_by_accounts'),
                                     type_='foreignkey')
            batch_op.drop_column('ended_by')
            batch_op.drop_column('ended_at')
