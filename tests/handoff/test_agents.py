"""Accounts: passwords with lockout, API tokens that expire or are revoked, deactivation."""

import secrets
from datetime import timedelta

import pytest

from handoff import agents, clock, sessions
from handoff.exceptions import AccountLocked, InvalidCredentials, InvalidSession, InvalidToken, WeakPassword
from handoff.models import ApiToken
from handoff.settings import get_settings

PASSWORD = "correct horse battery"


def _name() -> str:
    return f"acct-{secrets.token_hex(4)}"


def test_tokens_are_stored_hashed_and_checked(db_session):
    user, token = agents.create_user(db_session=db_session, name=_name(), role="agent")
    stored = agents.list_api_tokens(db_session=db_session, user=user)
    assert [row.token_hash for row in stored] == [agents.token_hash(token)] and token not in stored[0].token_hash
    assert agents.authenticate_token_or_raise(db_session=db_session, token=token).id == user.id
    with pytest.raises(InvalidToken):
        agents.authenticate_token_or_raise(db_session=db_session, token=token + "x")
    with pytest.raises(ValueError):
        agents.create_user(db_session=db_session, name=user.name, role="agent")
    db_session.rollback()


def test_expired_and_revoked_tokens_and_inactive_users_are_refused(db_session, movable_clock):
    user, first = agents.create_user(db_session=db_session, name=_name(), role="agent")
    _, expiring = agents.create_api_token(db_session=db_session, user=user, label="ci",
                                          expires_at=clock.now() + timedelta(hours=1))
    agents.authenticate_token_or_raise(db_session=db_session, token=expiring)
    row = agents.list_api_tokens(db_session=db_session, user=user)[0]
    agents.revoke_api_token(db_session=db_session, user=user, token_id=row.id)
    with pytest.raises(InvalidToken, match="revoked"):
        agents.authenticate_token_or_raise(db_session=db_session, token=first)
    movable_clock.advance(hours=2)
    with pytest.raises(InvalidToken, match="expired"):
        agents.authenticate_token_or_raise(db_session=db_session, token=expiring)
    _, active = agents.create_api_token(db_session=db_session, user=user)
    agents.deactivate_user(db_session=db_session, user=user)
    with pytest.raises(InvalidToken, match="deactivated"):
        agents.authenticate_token_or_raise(db_session=db_session, token=active)
    db_session.rollback()


def test_wrong_passwords_lock_the_account_until_the_lock_time_passes(db_session, movable_clock):
    user, _ = agents.create_user(db_session=db_session, name=_name(), role="agent", password=PASSWORD)
    attempts = get_settings().lockout_attempts
    for _ in range(attempts - 1):
        with pytest.raises(InvalidCredentials):
            agents.authenticate_password_or_raise(db_session=db_session, name=user.name, password="wrong-password")
    with pytest.raises(AccountLocked) as locked:
        agents.authenticate_password_or_raise(db_session=db_session, name=user.name, password="wrong-password")
    assert locked.value.just_locked
    with pytest.raises(AccountLocked):  # the right password too, while locked
        agents.authenticate_password_or_raise(db_session=db_session, name=user.name, password=PASSWORD)
    movable_clock.advance(minutes=get_settings().lockout_minutes + 1)
    assert agents.authenticate_password_or_raise(db_session=db_session, name=user.name, password=PASSWORD) is user
    assert user.failed_logins == 0 and user.locked_until is None
    db_session.rollback()


def test_unknown_inactive_and_password_less_users_get_the_same_answer(db_session, movable_clock):
    with_password, _ = agents.create_user(db_session=db_session, name=_name(), role="agent", password=PASSWORD)
    without, _ = agents.create_user(db_session=db_session, name=_name(), role="agent")
    agents.deactivate_user(db_session=db_session, user=with_password)
    for name in (with_password.name, without.name, _name()):
        with pytest.raises(InvalidCredentials):
            agents.authenticate_password_or_raise(db_session=db_session, name=name, password=PASSWORD)
    with pytest.raises(WeakPassword):
        agents.set_password(db_session=db_session, user=without, password="short")
    db_session.rollback()


def test_sessions_end_when_idle_too_long_or_when_the_user_is_deactivated(db_session, movable_clock):
    user, _ = agents.create_user(db_session=db_session, name=_name(), role="agent", password=PASSWORD)
    _, idle_id = sessions.start_session(db_session=db_session, user=user)
    _, other_id = sessions.start_session(db_session=db_session, user=user)
    db_session.commit()
    movable_clock.advance(minutes=get_settings().session_idle_minutes + 1)
    with pytest.raises(InvalidSession):
        sessions.get_session_or_raise(db_session=db_session, session_id=idle_id)
    movable_clock.offset = timedelta()
    assert sessions.get_session_or_raise(db_session=db_session, session_id=other_id)[1] is user
    agents.deactivate_user(db_session=db_session, user=user)
    with pytest.raises(InvalidSession):
        sessions.get_session_or_raise(db_session=db_session, session_id=other_id)
    assert db_session.get(ApiToken, agents.list_api_tokens(db_session=db_session, user=user)[0].id) is not None
