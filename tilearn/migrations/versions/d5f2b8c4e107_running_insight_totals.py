"""running insight totals

Trainers' insight reads running totals kept up to date as learners act, instead of figures
recounted every few minutes: insight_totals (per module: section time histograms, retries and
item sums; aggregates naming no one), insight_shares (each learner's part of them, so only the
difference an action makes is added; private, erased with the learner) and insight_counts (which
version of a module the totals were counted for). The totals start empty: a module is counted
for every learner the first time its insight is opened. insight_snapshots is no longer used.

Revision ID: d5f2b8c4e107
Revises: d5f2b8c3e917
Create Date: 2026-12-01 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tilearn.models.types


# revision identifiers, used by Alembic.
revision = 'd5f2b8c4e107'
down_revision = 'd5f2b8c3e917'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('insight_snapshots')
    op.create_table(
        'insight_counts',
        sa.Column('module_id', sa.String(length=64), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('counted_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('module_id', name=op.f('pk_insight_counts')),
    )
    op.create_table(
        'insight_totals',
        sa.Column('module_id', sa.String(length=64), nullable=False),
        sa.Column('measure', sa.String(length=8), nullable=False),
        sa.Column('item', sa.String(length=64), nullable=False),
        sa.Column('bucket', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('module_id', 'measure', 'item', 'bucket', name=op.f('pk_insight_totals')),
    )
    op.create_table(
        'insight_shares',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.String(length=64), nullable=False),
        sa.Column('facts', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_insight_shares_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('user_id', 'module_id', name=op.f('pk_insight_shares')),
    )


def downgrade():
    op.drop_table('insight_shares')
    op.drop_table('insight_totals')
    op.drop_table('insight_counts')
    op.create_table(
        'insight_snapshots',
        sa.Column('module_id', sa.String(length=64), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('computed_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('figures', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('module_id', name=op.f('pk_insight_snapshots')),
    )
