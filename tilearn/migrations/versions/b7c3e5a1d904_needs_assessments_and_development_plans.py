"""training-needs assessments and personal development plans

needs_assessments keeps each manager's or admin's answers to the scheme's training-needs
questions for a team (or one person), with the recommended level, its reasons, and who
accepted it. development_plans holds each learner's own plan, private unless they share it.

Revision ID: b7c3e5a1d904
Revises: d21e8744bb59
Create Date: 2026-12-01 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tilearn.models.types


# revision identifiers, used by Alembic.
revision = 'b7c3e5a1d904'
down_revision = 'd21e8744bb59'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('needs_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('scheme', sa.String(length=200), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('recommended_level', sa.String(length=64), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('assessed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_by', sa.Integer(), nullable=True),
    sa.Column('accepted_level', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_needs_assessments_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_needs_assessments_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assessed_by'], ['users.id'], name=op.f('fk_needs_assessments_assessed_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['accepted_by'], ['users.id'], name=op.f('fk_needs_assessments_accepted_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs_assessments'))
    )
    with op.batch_alter_table('needs_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_assessments_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_needs_assessments_user_id'), ['user_id'], unique=False)

    op.create_table('development_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('service_remit', sa.Text(), nullable=True),
    sa.Column('role', sa.Text(), nullable=True),
    sa.Column('level', sa.String(length=64), nullable=True),
    sa.Column('strengths', sa.Text(), nullable=True),
    sa.Column('areas_to_develop', sa.Text(), nullable=True),
    sa.Column('confidence', sa.Text(), nullable=False),
    sa.Column('agreed_plan', sa.Text(), nullable=True),
    sa.Column('agreed_support', sa.Text(), nullable=True),
    sa.Column('created_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shared_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('agreed_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('agreed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_development_plans_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['agreed_by'], ['users.id'], name=op.f('fk_development_plans_agreed_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_development_plans')),
    sa.UniqueConstraint('user_id', name=op.f('uq_development_plans_user_id'))
    )


def downgrade():
    op.drop_table('development_plans')
    with op.batch_alter_table('needs_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_assessments_user_id'))
        batch_op.drop_index(batch_op.f('ix_needs_assessments_team_id'))

    op.drop_table('needs_assessments')
