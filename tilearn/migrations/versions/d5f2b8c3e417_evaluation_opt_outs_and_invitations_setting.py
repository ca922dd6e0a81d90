"""evaluation opt-outs and the invitations setting

evaluation_opt_outs holds each learner's "Stop asking me about evaluations" (a row while it
stands, deleted by "Ask me about evaluations again"); organisation_settings.invite_to_evaluations
is the admin's switch for inviting anyone at all, on for existing sites as it was before.

Revision ID: d5f2b8c3e417
Revises: d5f2b8c4e107
Create Date: 2026-12-01 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5f2b8c3e417'
down_revision = 'd5f2b8c4e107'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evaluation_opt_outs',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('stopped_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_evaluation_opt_outs_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_evaluation_opt_outs')),
    )
    with op.batch_alter_table('organisation_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('invite_to_evaluations', sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('organisation_settings', schema=None) as batch_op:
        batch_op.drop_column('invite_to_evaluations')
    op.drop_table('evaluation_opt_outs')
