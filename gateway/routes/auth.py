"""Sign-in for the agent and admin consoles (design.md, "Sign-in for agents and admins"): a password gives a
server-side session in an HttpOnly cookie plus a CSRF token for state-changing requests."""

import math
from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from audit import service as audit
from gateway.blocking import in_thread, in_transaction
from gateway.deps import SESSION_COOKIE, SessionDep, SignedInDep
from gateway.exceptions import AccountLocked, CsrfFailed, InvalidCredentials
from gateway.rate_limits import client_address, get_rate_limiter, is_https
from gateway.settings import get_settings
from handoff import agents, clock, sessions
from handoff import exceptions as account_errors
from handoff.models import AgentSession, AgentUser
from handoff.settings import get_settings as get_handoff_settings

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)


def _signed_in(user: AgentUser, session: AgentSession | None) -> dict[str, Any]:
    return {"user": {"name": user.name, "role": user.role}, "csrf_token": session.csrf_token if session else None}


def _start_session(*, db_session: Session, user: AgentUser, address: str) -> tuple[AgentSession, str]:
    started = sessions.start_session(db_session=db_session, user=user)
    audit.record(db_session=db_session, action="auth.signin", actor=user, details={"address": address})
    return started


@router.post("/login")
async def login(body: LoginBody, request: Request, response: Response, db_session: SessionDep) -> dict[str, Any]:
    """200 with the session cookie; 401 invalid_credentials (unknown name, wrong password, inactive account
    alike), 423 account_locked while locked, 429 rate_limited after too many failures from a name or address."""
    limiter, limit, address = get_rate_limiter(), get_settings().rate_limit_signin, client_address(request)
    keys = (("signin-name", body.username), ("signin-address", address))
    for key in keys:
        await limiter.check(limit, *key)
    try:
        user = await in_thread(agents.authenticate_password_or_raise, db_session=db_session, name=body.username,
                               password=body.password)  # argon2 takes tens of milliseconds of CPU
    except (account_errors.InvalidCredentials, account_errors.AccountLocked) as error:
        locked = isinstance(error, account_errors.AccountLocked)
        action = ("auth.locked_out" if error.just_locked else "auth.signin_locked") if locked else "auth.signin_failed"
        await in_transaction(db_session, audit.record, db_session=db_session, action=action,
                             actor_name=body.username, details={"address": address})
        for key in keys:
            await limiter.hit(limit, *key)
        if locked:
            seconds = max(1, math.ceil((error.locked_until - clock.now()).total_seconds()))
            raise AccountLocked(f"too many wrong passwords: this account is locked for {math.ceil(seconds / 60)} "
                                f"more minute(s)", retry_after=seconds) from error
        raise InvalidCredentials("wrong user name or password") from error
    session, session_id = await in_transaction(db_session, _start_session, db_session=db_session, user=user,
                                               address=address)
    await limiter.clear(limit, "signin-name", body.username)
    response.set_cookie(SESSION_COOKIE, session_id, max_age=int(get_handoff_settings().session_max_hours * 3600),
                        path="/", httponly=True, samesite="strict", secure=is_https(request))
    return _signed_in(user, session)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, db_session: SessionDep) -> None:
    """End the cookie's session (with its CSRF token); signing out of a session that has ended already is fine."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        try:
            session, user = sessions.get_session_or_raise(db_session=db_session, session_id=session_id)
        except account_errors.InvalidSession:
            session = None
        if session is not None:
            if not sessions.csrf_matches(session, request.headers.get("x-csrf-token")):
                raise CsrfFailed("send the session's CSRF token as X-CSRF-Token")
            sessions.end_session(db_session=db_session, session_id=session_id)
            audit.record(db_session=db_session, action="auth.signout", actor=user)
            db_session.commit()
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=is_https(request))


@router.get("/me")
def me(signed_in: SignedInDep) -> dict[str, Any]:
    """Who is signed in, and the session's CSRF token (null with an API token): the consoles call this after a
    reload."""
    return _signed_in(signed_in.user, signed_in.session)
