"""Contact texts per organisation and förvaltning

Revision ID: 8d2f4b6a1c3e
Revises: 3c1e9a7b5d20
Create Date: 2026-12-03 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d2f4b6a1c3e'
down_revision = '3c1e9a7b5d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contact_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_contact_values_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_values')),
    sa.UniqueConstraint('key', 'scope', name=op.f('uq_contact_values_key_scope'))
    )


def downgrade():
    op.drop_table('contact_values')
