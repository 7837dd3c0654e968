"""Identity provider subject on accounts, the access an API token was made with

Revision ID: b7e41c2d9a10
Revises: b7e2c4d9a1f0
Create Date: 2026-12-03 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e41c2d9a10'
down_revision = 'b7e2c4d9a1f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_oidc_subject'), ['oidc_subject'])

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('granted_access', sa.String(length=2000), nullable=False, server_default=''))

    # Existing tokens keep working for the access their owner has now (the same text as access_of in
    # learning/api/services.py); from here on any change of it stops them.
    connection = op.get_bind()
    owners = connection.execute(sa.text(
        "SELECT t.id, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id")).all()
    for token_id, role in owners:
        scopes = sorted(connection.execute(sa.text(
            "SELECT h.organisation_id FROM hr_scopes h JOIN api_tokens t ON t.user_id = h.user_id "
            "WHERE t.id = :id"), {"id": token_id}).scalars()) if role == "hr" else []
        grant = role + (":" + ",".join(map(str, scopes)) if scopes else "")
        connection.execute(sa.text('UPDATE api_tokens SET granted_access = :grant WHERE id = :id'),
                           {"grant": grant, "id": token_id})


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('granted_access')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_oidc_subject'), type_='unique')
        batch_op.drop_column('oidc_subject')
