"""Live sessions tied to a course; council snapshots of the whole programme (no course)

Revision ID: c3d8e1f4a2b6
Revises: b7e41c2d9a10
Create Date: 2026-12-03 19:55:00.000000

"""
from alembic import op
import sqlalchemy as sa
import yaml


# revision identifiers, used by Alembic.
revision = 'c3d8e1f4a2b6'
down_revision = 'b7e41c2d9a10'
branch_labels = None
depends_on = None


def _requires(markdown: str) -> bool:
    """Whether a course file's front matter names a course to complete first (as learning/content/meta.py reads
    `requires`: a non-empty string; null, empty or anything unreadable is no requirement)."""
    if not markdown.startswith("---"):
        return False
    front = markdown[3:].split("\n---", 1)[0]
    try:
        meta = yaml.safe_load(front)
    except yaml.YAMLError:
        return False
    requires = meta.get("requires") if isinstance(meta, dict) else None
    return isinstance(requires, str) and bool(requires.strip())


def _course_kinds(connection) -> tuple[int | None, list[int]]:
    """(the base course, the courses that build on another), from each course file's newest revision."""
    rows = connection.execute(sa.text(
        "SELECT f.course_id, r.markdown FROM content_files f JOIN revisions r ON r.content_file_id = f.id "
        "WHERE f.filename = 'course.md' AND r.number = (SELECT max(r2.number) FROM revisions r2 "
        "WHERE r2.content_file_id = f.id) ORDER BY f.course_id")).all()
    base, deeper = None, []
    for course_id, markdown in rows:
        if _requires(markdown):
            deeper.append(course_id)
        elif base is None:
            base = course_id
    return base, deeper


def upgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('course_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_live_sessions_course_id'), ['course_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_live_sessions_course_id_courses'), 'courses', ['course_id'], ['id'])

    with op.batch_alter_table('council_snapshots', schema=None) as batch_op:
        batch_op.alter_column('course_id', existing_type=sa.Integer(), nullable=True)

    # Every existing session counted in every course's report. A grundutbildning session now counts for the
    # base course (the first course that builds on no other), a fördjupning session for the fördjupning
    # course when there is exactly one; workshops, and the rest, count in the programme report only.
    # Attendance rows point at the session and are not touched.
    connection = op.get_bind()
    base, deeper = _course_kinds(connection)
    if base is not None:
        connection.execute(sa.text("UPDATE live_sessions SET course_id = :course WHERE kind = 'grundutbildning'"),
                           {"course": base})
    if len(deeper) == 1:
        connection.execute(sa.text("UPDATE live_sessions SET course_id = :course WHERE kind = 'fordjupning'"),
                           {"course": deeper[0]})


def downgrade():
    # A programme snapshot has no course and cannot exist in the older schema: downgrading removes them.
    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM council_snapshots WHERE course_id IS NULL"))
    with op.batch_alter_table('council_snapshots', schema=None) as batch_op:
        batch_op.alter_column('course_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_live_sessions_course_id_courses'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_live_sessions_course_id'))
        batch_op.drop_column('course_id')
