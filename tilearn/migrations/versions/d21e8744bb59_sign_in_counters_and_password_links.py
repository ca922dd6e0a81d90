"""sign-in counters and set-password links

Failed sign-ins were rows in login_attempts, counted and then checked: parallel attempts
could all pass the check. They are now counted in sign_in_counters, one row per account or
address, with one atomic insert-or-update before any password is checked. Attempts already
counted are not carried over: the limit simply starts again. password_links holds the
hashed token of each person's one-time set-password link.

Revision ID: d21e8744bb59
Revises: e8245af69628
Create Date: 2026-12-01 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tilearn.models.types


# revision identifiers, used by Alembic.
revision = 'd21e8744bb59'
down_revision = 'e8245af69628'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_counters',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=254), nullable=False),
    sa.Column('window_start', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_sign_in_counters'))
    )
    op.create_table('password_links',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_password_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_links_token_hash'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_address_at')
        batch_op.drop_index('ix_login_attempts_account_at')

    op.drop_table('login_attempts')


def downgrade():
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('attempted_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_account_at', ['account', 'attempted_at'], unique=False)
        batch_op.create_index('ix_login_attempts_address_at', ['address', 'attempted_at'], unique=False)

    op.drop_table('password_links')
    op.drop_table('sign_in_counters')
