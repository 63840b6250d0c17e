"""proactive messages: shop events received, COD confirmations, opt-outs; orders.confirmed_at

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 20:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shop_events',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('order_number', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_events'))
    )
    with op.batch_alter_table('shop_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_events_order_number'), ['order_number'], unique=False)
    op.create_table('cod_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_number', sa.String(length=40), nullable=False),
    sa.Column('sender_id', sa.String(length=128), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cod_confirmations')),
    sa.UniqueConstraint('order_number', name=op.f('uq_cod_confirmations_order_number'))
    )
    with op.batch_alter_table('cod_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cod_confirmations_sender_id'), ['sender_id'], unique=False)
    op.create_table('proactive_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=128), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proactive_opt_outs')),
    sa.UniqueConstraint('sender_id', name=op.f('uq_proactive_opt_outs_sender_id'))
    )
    with op.batch_alter_table('proactive_opt_outs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proactive_opt_outs_customer_id'), ['customer_id'], unique=False)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
    op.drop_table('proactive_opt_outs')
    op.drop_table('cod_confirmations')
    op.drop_table('shop_events')
