"""API keys: an account holds several named bearer credentials, each kept as a digest.

Each account's token becomes its first key, named "default" (the digest moves as it is:
the token a client holds keeps working), and ``accounts.token_hash`` goes.

On SQLite the accounts table is rebuilt to lose the column (SQLite cannot drop a column
that has a UNIQUE constraint). Alembic's batch mode would copy it to a new table and
rename that; but every row that points at an account (orders, keys, reports…) would then
count as broken the moment the old table is dropped, and foreign keys cannot be switched
off inside the migration's transaction. So the check is deferred to the commit and the
rows are put back into a table that already has the name they point at, which settles
each of them again. (This relies on no foreign key to accounts having an ON DELETE
action: the drop deletes every row first, and an action would fire.)

Downgrading gives each account back one token: its oldest key that is neither revoked
nor set to expire (a key with an expiry would otherwise outlive it). An account without
such a key gets a digest no token has, and so no way in until it is given one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ACCOUNT_COLUMNS = "id, role, name, store_id, created_at"
# Not hexadecimal, so no SHA-256 digest (and so no token) is ever equal to it.
NO_TOKEN = "'no token: ' || id"
TOKEN_OF_ACCOUNT = f"""COALESCE(
    (SELECT key_hash FROM api_keys
     WHERE api_keys.account_id = accounts.id
       AND api_keys.revoked_at IS NULL AND api_keys.expires_at IS NULL
     ORDER BY api_keys.id LIMIT 1),
    {NO_TOKEN})"""


def _account_columns(*, with_token: bool) -> list[sa.Column]:
    columns = [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum('owner', 'agent', 'buyer', 'reviewer', 'admin', name='role', native_enum=False, length=32), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    ]
    if with_token:
        columns.insert(4, sa.Column('token_hash', sa.String(length=64), nullable=False))
    return columns


def _rebuild_sqlite_accounts(*, with_token: bool) -> None:
    """Recreate ``accounts`` with or without ``token_hash``, keeping every row and id."""
    copied = ACCOUNT_COLUMNS + (", token_hash" if with_token else "")
    source = ACCOUNT_COLUMNS + (f", {TOKEN_OF_ACCOUNT} AS token_hash" if with_token else "")
    op.execute("PRAGMA defer_foreign_keys = ON")  # until the commit; it resets itself then
    op.execute(f"CREATE TABLE _accounts_copy AS SELECT {source} FROM accounts")
    op.drop_table('accounts')
    constraints = [
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_accounts_store_id_stores')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    ]
    if with_token:
        constraints.append(sa.UniqueConstraint('token_hash', name=op.f('uq_accounts_token_hash')))
    op.create_table('accounts', *_account_columns(with_token=with_token), *constraints)
    op.execute(f"INSERT INTO accounts ({copied}) SELECT {copied} FROM _accounts_copy")
    op.drop_table('_accounts_copy')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_store_id'), ['store_id'], unique=False)


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_api_keys_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index('ix_api_keys_account_id_id', ['account_id', 'id'], unique=False)

    op.execute("INSERT INTO api_keys (account_id, name, key_hash, created_at) "
               "SELECT id, 'default', token_hash, created_at FROM accounts ORDER BY id")

    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_accounts(with_token=False)
    else:
        with op.batch_alter_table('accounts', schema=None) as batch_op:
            batch_op.drop_constraint('uq_accounts_token_hash', type_='unique')
            batch_op.drop_column('token_hash')


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_accounts(with_token=True)
    else:
        with op.batch_alter_table('accounts', schema=None) as batch_op:
            batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        op.execute(f"UPDATE accounts SET token_hash = {TOKEN_OF_ACCOUNT}")
        with op.batch_alter_table('accounts', schema=None) as batch_op:
            batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
            batch_op.create_unique_constraint(batch_op.f('uq_accounts_token_hash'), ['token_hash'])

    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_api_keys_account_id_id')

    op.drop_table('api_keys')
