"""conversation secrets: a hash of each public conversation's token

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00

Conversations created before this revision have no token: the public API and the widget can no longer reach
them (404, as for an unknown id), so none stays readable by its id alone. Widgets start a new conversation;
agents keep the old ones in tickets and inquiry histories.
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('token_hash')
