"""module versions, retired modules and the library generation

Every published version of a module is kept in module_versions (its text, who published it,
when, the "what changed" note for learners and whether the change is material), with its
images and handouts in module_version_files. retired_modules lists modules no longer offered
to learners. library_generation holds one counter, raised by every publish, rollback, retire
and restore; each worker compares it about once a second and reloads its library when it moved.

So that every completion record's version is in the history, each (module, version) found in
completion_records becomes a "file" version, not material, published when its first record was
issued, with no text (markdown NULL: it was served from disk before the site kept texts). The
site fills the text in, once, when it next serves that version from disk.

Revision ID: b7c41e0d9a25
Revises: d21e8744bb59
Create Date: 2026-12-01 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tilearn.models.types


# revision identifiers, used by Alembic.
revision = 'b7c41e0d9a25'
down_revision = 'd21e8744bb59'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('module_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('markdown', sa.Text(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('published_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('material', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('rolled_back_from_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_module_versions_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rolled_back_from_id'], ['module_versions.id'], name=op.f('fk_module_versions_rolled_back_from_id_module_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_versions')),
    sa.UniqueConstraint('module_id', 'version', name=op.f('uq_module_versions_module_id_version'))
    )
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_versions_module_id'), ['module_id'], unique=False)

    op.create_table('module_version_files',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['module_versions.id'], name=op.f('fk_module_version_files_version_id_module_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'path', name=op.f('pk_module_version_files'))
    )
    op.create_table('retired_modules',
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('retired_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['retired_by_id'], ['users.id'], name=op.f('fk_retired_modules_retired_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('module_id', name=op.f('pk_retired_modules'))
    )
    generation = op.create_table('library_generation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('changed_at', tilearn.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_generation'))
    )
    op.execute(generation.insert().values(id=1, generation=1, changed_at=sa.func.current_timestamp()))
    op.execute(
        """
        INSERT INTO module_versions (module_id, version, markdown, content_hash, published_at, note, material, source)
        SELECT module_id, module_version, NULL, '', min(issued_at), '', false, 'file'
        FROM completion_records
        GROUP BY module_id, module_version
        """
    )


def downgrade():
    op.drop_table('library_generation')
    op.drop_table('retired_modules')
    op.drop_table('module_version_files')
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_versions_module_id'))

    op.drop_table('module_versions')
