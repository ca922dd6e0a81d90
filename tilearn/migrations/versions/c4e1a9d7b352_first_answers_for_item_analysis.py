"""first answers for item analysis

question_results.first_correct keeps whether the learner's first answer to a question, as it is
now worded, was right; trainers' insight pages compute each question's facility and discrimination
from it (aggregates over five or more learners only). A rewritten question starts afresh. Rows
answered before this revision have no first answer recorded (NULL) and are not counted: which try
came first cannot be told honestly from the latest answer alone. insight_snapshots keeps each
module's figures as last worked out (already suppressed, naming no one), so the page does not
recount every learner on each view; they are worked out again when older than a few minutes.

Revision ID: c4e1a9d7b352
Revises: c4e8a2f7b610
Create Date: 2026-12-01 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tilearn.models.types


# revision identifiers, used by Alembic.
revision = 'c4e1a9d7b352'
down_revision = 'c4e8a2f7b610'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_correct', sa.Boolean(), nullable=True))
    op.create_table(
        'insight_snapshots',
        sa.Column('module_id', sa.String(length=64), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('computed_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('figures', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('module_id', name=op.f('pk_insight_snapshots')),
    )


def downgrade():
    op.drop_table('insight_snapshots')
    with op.batch_alter_table('question_results', schema=None) as batch_op:
        batch_op.drop_column('first_correct')
