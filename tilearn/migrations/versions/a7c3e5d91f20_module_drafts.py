"""module drafts

A trainer's draft of a module, kept in the database until it is published: module_drafts
holds the markdown (one draft per module), module_draft_files its images and handouts.

Revision ID: a7c3e5d91f20
Revises: b7c41e0d9a25
Create Date: 2026-12-01 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tilearn.models.types


# revision identifiers, used by Alembic.
revision = 'a7c3e5d91f20'
down_revision = 'b7c41e0d9a25'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('module_drafts',
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('markdown', sa.Text(), nullable=False),
    sa.Column('updated_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('based_on_version', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_module_drafts_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('module_id', name=op.f('pk_module_drafts'))
    )
    op.create_table('module_draft_files',
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['module_drafts.module_id'], name=op.f('fk_module_draft_files_module_id_module_drafts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('module_id', 'path', name=op.f('pk_module_draft_files'))
    )


def downgrade():
    op.drop_table('module_draft_files')
    op.drop_table('module_drafts')
