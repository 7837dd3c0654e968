"""The month of a pending survey response as a column; one visit_seen row per visit

The survey pool gets the month each response carries as a column, so readers find due responses
without reading payloads. visit_seen becomes one row per visit (no unique key), rolled up into
visit_days when the day is over; its rows from before, whose counts are already in visit_days, are
deleted (a visitor seen earlier on the day of the upgrade counts as a new unique visitor once more).

Revision ID: 9b1d2c3e4f50
Revises: eaf34ccbc911
Create Date: 2026-12-03 14:20:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b1d2c3e4f50'
down_revision = 'eaf34ccbc911'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_pending', schema=None) as batch_op:
        batch_op.add_column(sa.Column('month', sa.String(length=7), nullable=True))
    pending = sa.table('survey_pending', sa.column('id', sa.String), sa.column('payload', sa.JSON),
                       sa.column('month', sa.String))
    connection = op.get_bind()
    for row_id, payload in connection.execute(sa.select(pending.c.id, pending.c.payload)).all():
        if isinstance(payload, str):
            payload = json.loads(payload)
        connection.execute(pending.update().where(pending.c.id == row_id).values(month=payload["month"]))
    with op.batch_alter_table('survey_pending', schema=None) as batch_op:
        batch_op.alter_column('month', existing_type=sa.String(length=7), nullable=False)
        batch_op.drop_index('ix_survey_pending_course_id')
        batch_op.create_index('ix_survey_pending_course_month', ['course_id', 'month'], unique=False)


    op.execute("DELETE FROM visit_seen")
    with op.batch_alter_table('visit_seen', schema=None) as batch_op:
        batch_op.drop_constraint('uq_visit_seen_day_course_id_digest', type_='unique')
        batch_op.create_index('ix_visit_seen_course_day', ['course_id', 'day'], unique=False)


def downgrade():
    op.execute("DELETE FROM visit_seen")
    with op.batch_alter_table('visit_seen', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_seen_course_day')
        batch_op.create_unique_constraint('uq_visit_seen_day_course_id_digest', ['day', 'course_id', 'digest'])
    with op.batch_alter_table('survey_pending', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_pending_course_month')
        batch_op.create_index('ix_survey_pending_course_id', ['course_id'], unique=False)
        batch_op.drop_column('month')
