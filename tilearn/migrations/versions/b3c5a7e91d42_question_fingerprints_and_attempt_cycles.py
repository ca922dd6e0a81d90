"""question fingerprints and attempt cycles

A learner's saved answers now say which questions they answered, as those questions were worded:
quiz_attempts.questions and draft_answers.questions hold {question id: content fingerprint} (for a
question bank, the items drawn for that attempt), and question_results.fingerprint the fingerprint of
the question answered. An answer to a question that has since been rewritten is never shown again or
counted. quiz_attempts.cycle ties an attempt to one pass through the module, so a refresher starts
with no answers filled in. Existing rows have no fingerprints: they are kept, but are not put back on
the page or counted towards a score (a learner part-way through a module checks those answers again).

Revision ID: b3c5a7e91d42
Revises: b7c3e5a1d904
Create Date: 2026-12-01 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3c5a7e91d42'
down_revision = 'b7c3e5a1d904'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('questions', sa.Text(), nullable=True))
    with op.batch_alter_table('question_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=16), nullable=True))
    with op.batch_alter_table('draft_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('questions', sa.Text(), nullable=True))
    # Attempts made before a refresher belong to the cycle before the learner's current one; without
    # knowing which, each goes with the first completion issued after it (else the current cycle).
    op.execute(
        "UPDATE quiz_attempts SET cycle = COALESCE((SELECT MIN(c.cycle) FROM completion_records c "
        "WHERE c.user_id = quiz_attempts.user_id AND c.module_id = quiz_attempts.module_id "
        "AND c.issued_at >= quiz_attempts.submitted_at), "
        "(SELECT p.cycle FROM module_progress p WHERE p.user_id = quiz_attempts.user_id "
        "AND p.module_id = quiz_attempts.module_id), 1)"
    )


def downgrade():
    with op.batch_alter_table('draft_answers', schema=None) as batch_op:
        batch_op.drop_column('questions')
    with op.batch_alter_table('question_results', schema=None) as batch_op:
        batch_op.drop_column('fingerprint')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('questions')
        batch_op.drop_column('cycle')

