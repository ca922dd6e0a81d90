"""trauma-informed service audits and their actions; quality-training checklists

service_audits keeps each audit of a team (or a named service) against the trauma-informed
criteria, with the criteria as shown and the rating of each; service_audit_actions holds the
actions agreed after an audit, with an owner, a due date and whether they are done.

Revision ID: c4e8a2f7b610
Revises: c4e8a2f0b613
Create Date: 2026-12-01 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tilearn.models.types


# revision identifiers, used by Alembic.
revision = 'c4e8a2f7b610'
down_revision = 'c4e8a2f0b613'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('service', sa.String(length=200), nullable=True),
    sa.Column('framework', sa.Text(), nullable=False),
    sa.Column('ratings', sa.Text(), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('audited_by', sa.Integer(), nullable=True),
    sa.Column('created_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_service_audits_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['previous_id'], ['service_audits.id'], name=op.f('fk_service_audits_previous_id_service_audits'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['audited_by'], ['users.id'], name=op.f('fk_service_audits_audited_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_audits'))
    )
    with op.batch_alter_table('service_audits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_audits_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_audits_service'), ['service'], unique=False)

    op.create_table('service_audit_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=200), nullable=True),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('done_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['service_audits.id'], name=op.f('fk_service_audit_actions_audit_id_service_audits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_service_audit_actions_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_audit_actions'))
    )
    with op.batch_alter_table('service_audit_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_audit_actions_audit_id'), ['audit_id'], unique=False)

    op.create_table('training_checklists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=64), nullable=True),
    sa.Column('module_version', sa.String(length=64), nullable=True),
    sa.Column('offer', sa.String(length=200), nullable=True),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('completed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['completed_by'], ['users.id'], name=op.f('fk_training_checklists_completed_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_checklists'))
    )
    with op.batch_alter_table('training_checklists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_checklists_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_checklists_offer'), ['offer'], unique=False)


def downgrade():
    with op.batch_alter_table('training_checklists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_checklists_offer'))
        batch_op.drop_index(batch_op.f('ix_training_checklists_module_id'))

    op.drop_table('training_checklists')
    with op.batch_alter_table('service_audit_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_audit_actions_audit_id'))

    op.drop_table('service_audit_actions')
    with op.batch_alter_table('service_audits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_audits_service'))
        batch_op.drop_index(batch_op.f('ix_service_audits_team_id'))

    op.drop_table('service_audits')
