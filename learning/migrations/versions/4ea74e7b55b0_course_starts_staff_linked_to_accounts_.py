"""Course starts, staff linked to accounts, covering indexes for the dashboards

Revision ID: 4ea74e7b55b0
Revises: 5fd584c551e5
Create Date: 2026-11-22 02:31:57.720255

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4ea74e7b55b0'
down_revision = '5fd584c551e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_starts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_starts_course_id_courses')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_starts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_starts')),
    sa.UniqueConstraint('user_id', 'course_id', name=op.f('uq_course_starts_user_id_course_id'))
    )
    with op.batch_alter_table('course_starts', schema=None) as batch_op:
        batch_op.create_index('ix_course_starts_course_started_user', ['course_id', 'started_at', 'user_id'], unique=False)
    # Everyone who has opened a part of a course has started it, at the first part they opened.
    op.execute("INSERT INTO course_starts (user_id, course_id, started_at) "
               "SELECT part_views.user_id, content_files.course_id, MIN(part_views.first_viewed_at) "
               "FROM part_views JOIN content_files ON content_files.id = part_views.content_file_id "
               "GROUP BY part_views.user_id, content_files.course_id")

    with op.batch_alter_table('course_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_completions_completed_month'))
        batch_op.drop_index(batch_op.f('ix_course_completions_course_id'))
        batch_op.create_index('ix_course_completions_course_month_org', ['course_id', 'completed_month', 'organisation_id', 'org_role', 'user_id'], unique=False)

    with op.batch_alter_table('part_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_completions_content_file_id'))
        batch_op.create_index('ix_part_completions_file_completed_user', ['content_file_id', 'completed_at', 'user_id'], unique=False)

    with op.batch_alter_table('staff_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_staff_members_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_staff_members_user_id_users'), 'users', ['user_id'], ['id'], ondelete='SET NULL')
    # Staff addresses are always lower-case now, like accounts'; then each staff member gets their account.
    op.execute("UPDATE staff_members SET email = lower(email) WHERE email <> lower(email)")
    op.execute("UPDATE staff_members SET user_id = (SELECT users.id FROM users WHERE users.email = staff_members.email)")


def downgrade():
    with op.batch_alter_table('staff_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_members_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_staff_members_user_id'))
        batch_op.drop_column('user_id')

    with op.batch_alter_table('part_completions', schema=None) as batch_op:
        batch_op.drop_index('ix_part_completions_file_completed_user')
        batch_op.create_index(batch_op.f('ix_part_completions_content_file_id'), ['content_file_id'], unique=False)

    with op.batch_alter_table('course_completions', schema=None) as batch_op:
        batch_op.drop_index('ix_course_completions_course_month_org')
        batch_op.create_index(batch_op.f('ix_course_completions_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_completions_completed_month'), ['completed_month'], unique=False)

    with op.batch_alter_table('course_starts', schema=None) as batch_op:
        batch_op.drop_index('ix_course_starts_course_started_user')

    op.drop_table('course_starts')
