"""passwords, sessions, API tokens and the audit log

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:30:00

Each user's token moves to agent_api_tokens (label "migrated"), so tokens printed before keep working. Users
have no password yet: they use their token until an admin (or `shopbot users set-password`) sets one.
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agent_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('password_hash', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))

    op.create_table('agent_api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['agent_users.id'], name=op.f('fk_agent_api_tokens_user_id_agent_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_api_tokens'))
    )
    with op.batch_alter_table('agent_api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_api_tokens_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_agent_api_tokens_user_id'), ['user_id'], unique=False)
    op.execute("INSERT INTO agent_api_tokens (user_id, token_hash, label, created_at) "
               "SELECT id, token_hash, 'migrated', created_at FROM agent_users")
    with op.batch_alter_table('agent_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_users_token_hash'))
        batch_op.drop_column('token_hash')

    op.create_table('agent_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['agent_users.id'], name=op.f('fk_agent_sessions_user_id_agent_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_sessions'))
    )
    with op.batch_alter_table('agent_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_sessions_session_hash'), ['session_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_agent_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=True),
    sa.Column('subject_id', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)


def downgrade() -> None:
    """Back to one token per user: the oldest unrevoked token of each (users without one get a random hash)."""
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))
    op.drop_table('audit_events')
    with op.batch_alter_table('agent_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_agent_sessions_session_hash'))
    op.drop_table('agent_sessions')
    with op.batch_alter_table('agent_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
    op.execute("UPDATE agent_users SET token_hash = (SELECT t.token_hash FROM agent_api_tokens t "
               "WHERE t.user_id = agent_users.id AND t.revoked_at IS NULL ORDER BY t.id LIMIT 1)")
    op.execute("UPDATE agent_users SET token_hash = 'none-' || id WHERE token_hash IS NULL")
    with op.batch_alter_table('agent_api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_api_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_agent_api_tokens_token_hash'))
    op.drop_table('agent_api_tokens')
    with op.batch_alter_table('agent_users', schema=None) as batch_op:
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_agent_users_token_hash'), ['token_hash'], unique=True)
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('active')
        batch_op.drop_column('password_hash')
        batch_op.drop_column('email')
