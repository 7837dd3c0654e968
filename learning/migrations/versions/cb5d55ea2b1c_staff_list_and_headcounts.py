"""Staff list and headcounts: staff members, their assignments over time, hand-entered headcounts.

Revision ID: cb5d55ea2b1c
Revises: 7a78bd758ce5
Create Date: 2026-11-22 00:14:49.865994

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cb5d55ea2b1c'
down_revision = '7a78bd758ce5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_members')),
    sa.UniqueConstraint('employee_id', name=op.f('uq_staff_members_employee_id'))
    )
    with op.batch_alter_table('staff_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_members_email'), ['email'], unique=False)

    op.create_table('headcounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('staff', sa.Integer(), nullable=False),
    sa.Column('managers', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_headcounts_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_headcounts')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_headcounts_organisation_id'))
    )
    op.create_table('staff_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('org_role', sa.String(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_staff_assignments_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], name=op.f('fk_staff_assignments_staff_id_staff_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_assignments'))
    )
    with op.batch_alter_table('staff_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_staff_assignments_org_dates', ['organisation_id', 'valid_from', 'valid_to'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_assignments_staff_id'), ['staff_id'], unique=False)



def downgrade():
    with op.batch_alter_table('staff_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_assignments_staff_id'))
        batch_op.drop_index('ix_staff_assignments_org_dates')

    op.drop_table('staff_assignments')
    op.drop_table('headcounts')
    with op.batch_alter_table('staff_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_members_email'))

    op.drop_table('staff_members')
