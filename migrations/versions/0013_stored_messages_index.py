"""an index of the shopper messages stored while the assistant was down

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03 20:20:00

The gateway looks for them every few seconds to answer them once Rasa is back; the partial index keeps that
look-up independent of the size of the history.
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_messages_stored', 'messages', ['id'], unique=False,
                    sqlite_where=sa.text('delivered = 0'), postgresql_where=sa.text('delivered = false'))


def downgrade() -> None:
    op.drop_index('ix_messages_stored', table_name='messages')
