"""evaluation responses and invitations

evaluation_responses holds anonymous questionnaire answers (no person, a random id, the month
only); evaluation_invitations holds who was invited and whether they dealt with it, with nothing
that joins it to a response.

Revision ID: c4e8a2f0b613
Revises: a7c3e5d91f20
Create Date: 2026-12-01 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a2f0b613'
down_revision = 'a7c3e5d91f20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('scheme', sa.String(length=200), nullable=False),
    sa.Column('level_key', sa.String(length=64), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_evaluation_responses_team_id_teams'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_responses'))
    )
    with op.batch_alter_table('evaluation_responses', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_responses_level_stage', ['level_key', 'stage', 'team_id'], unique=False)

    op.create_table('evaluation_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=200), nullable=False),
    sa.Column('level_key', sa.String(length=64), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('invited_on', sa.Date(), nullable=False),
    sa.Column('ask_again_on', sa.Date(), nullable=True),
    sa.Column('emailed_on', sa.Date(), nullable=True),
    sa.Column('dealt_with_in', sa.String(length=7), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluation_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_invitations')),
    sa.UniqueConstraint('user_id', 'scheme', 'level_key', 'stage', name=op.f('uq_evaluation_invitations_user_id_scheme_level_key_stage'))
    )
    with op.batch_alter_table('evaluation_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_invitations_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evaluation_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_invitations_user_id'))
    op.drop_table('evaluation_invitations')
    with op.batch_alter_table('evaluation_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_responses_level_stage')
    op.drop_table('evaluation_responses')
