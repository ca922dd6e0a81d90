"""grounding visits

grounding_visits keeps a signed-in learner's visits to the grounding page, with the module and
section they were reading when they went there (NULL when not in a module), so trainers' insight
can count, per section, how many learners visited grounding (aggregates over five or more only).
Private like pauses: in the learner's own download, deleted when they are erased, let go by
retention after RETENTION_DAYS_FOR_PAUSES, never audited.

Revision ID: d5f2b8c3e917
Revises: c4e1a9d7b352
Create Date: 2026-12-01 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tilearn.models.types


# revision identifiers, used by Alembic.
revision = 'd5f2b8c3e917'
down_revision = 'c4e1a9d7b352'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'grounding_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.String(length=64), nullable=True),
        sa.Column('section_id', sa.String(length=64), nullable=True),
        sa.Column('visited_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_grounding_visits_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_grounding_visits')),
    )
    with op.batch_alter_table('grounding_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grounding_visits_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('grounding_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grounding_visits_user_id'))
    op.drop_table('grounding_visits')
