"""Survey responses keep only combinations that five of a month's responses share

org_role on survey_responses may now be empty, like organisation_id and gender. The responses stored
so far are generalised per course and month with the function the pool uses at release
(learning/survey/anonymity.py), so no stored (förvaltning, role, gender) singles anyone out.

Revision ID: d3a5f1c8e2b4
Revises: c3d8e1f4a2b6
Create Date: 2026-12-03 19:45:00

"""
from alembic import op
import sqlalchemy as sa

from learning.survey.anonymity import generalise


# revision identifiers, used by Alembic.
revision = 'd3a5f1c8e2b4'
down_revision = 'c3d8e1f4a2b6'
branch_labels = None
depends_on = None

RESPONSES = sa.table('survey_responses', sa.column('id', sa.String), sa.column('course_id', sa.Integer),
                     sa.column('month', sa.String), sa.column('organisation_id', sa.Integer),
                     sa.column('org_role', sa.String), sa.column('gender', sa.String))


def upgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.alter_column('org_role', existing_type=sa.String(length=20), nullable=True)

    connection = op.get_bind()
    months: dict = {}
    for row in connection.execute(sa.select(RESPONSES).order_by(RESPONSES.c.id)).all():
        months.setdefault((row.course_id, row.month), []).append(row)
    for rows in months.values():
        stored = generalise([(row.organisation_id, row.org_role, row.gender) for row in rows])
        for row, (organisation_id, org_role, gender) in zip(rows, stored):
            if (organisation_id, org_role, gender) != (row.organisation_id, row.org_role, row.gender):
                connection.execute(RESPONSES.update().where(RESPONSES.c.id == row.id).values(
                    organisation_id=organisation_id, org_role=org_role, gender=gender))


def downgrade():
    # A role taken away is not known any more: it comes back empty, which the reports call "Ej angivet".
    op.execute("UPDATE survey_responses SET org_role = '' WHERE org_role IS NULL")
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.alter_column('org_role', existing_type=sa.String(length=20), nullable=False)
