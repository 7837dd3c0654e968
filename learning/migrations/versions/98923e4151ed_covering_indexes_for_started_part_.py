"""Covering indexes for started, part passes and completions in the dashboards

Revision ID: 98923e4151ed
Revises: 5fd584c551e5
Create Date: 2026-11-22 02:20:35.164714

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '98923e4151ed'
down_revision = '5fd584c551e5'
branch_labels = None
depends_on = None


def upgrade():
    # Staff addresses are now always stored lower-case (reports join them to accounts with a plain equality).
    op.execute("UPDATE staff_members SET email = lower(email) WHERE email <> lower(email)")
    with op.batch_alter_table('course_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_completions_completed_month'))
        batch_op.drop_index(batch_op.f('ix_course_completions_course_id'))
        batch_op.create_index('ix_course_completions_course_month_org', ['course_id', 'completed_month', 'organisation_id', 'org_role', 'user_id'], unique=False)

    with op.batch_alter_table('part_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_completions_content_file_id'))
        batch_op.create_index('ix_part_completions_file_completed_user', ['content_file_id', 'completed_at', 'user_id'], unique=False)

    with op.batch_alter_table('part_views', schema=None) as batch_op:
        batch_op.create_index('ix_part_views_file_viewed_user', ['content_file_id', 'first_viewed_at', 'user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('part_views', schema=None) as batch_op:
        batch_op.drop_index('ix_part_views_file_viewed_user')

    with op.batch_alter_table('part_completions', schema=None) as batch_op:
        batch_op.drop_index('ix_part_completions_file_completed_user')
        batch_op.create_index(batch_op.f('ix_part_completions_content_file_id'), ['content_file_id'], unique=False)

    with op.batch_alter_table('course_completions', schema=None) as batch_op:
        batch_op.drop_index('ix_course_completions_course_month_org')
        batch_op.create_index(batch_op.f('ix_course_completions_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_completions_completed_month'), ['completed_month'], unique=False)

