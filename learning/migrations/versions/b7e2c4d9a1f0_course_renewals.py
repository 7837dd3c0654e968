"""Refresher cycles: course_renewals, one row per renewed certificate (a later round of a refresher course)

The first completion stays in course_completions; existing data needs no change.

Revision ID: b7e2c4d9a1f0
Revises: aad6088fa248
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2c4d9a1f0'
down_revision = 'aad6088fa248'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_renewals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('org_role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('verification_code', sa.String(length=20), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_month', sa.String(length=7), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_renewals_course_id_courses')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_course_renewals_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_renewals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_renewals')),
    sa.UniqueConstraint('user_id', 'course_id', 'cycle', name=op.f('uq_course_renewals_user_id_course_id_cycle')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_course_renewals_verification_code'))
    )
    with op.batch_alter_table('course_renewals', schema=None) as batch_op:
        batch_op.create_index('ix_course_renewals_course_completed_user', ['course_id', 'completed_at', 'user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('course_renewals', schema=None) as batch_op:
        batch_op.drop_index('ix_course_renewals_course_completed_user')
    op.drop_table('course_renewals')
