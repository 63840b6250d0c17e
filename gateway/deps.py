"""Shared FastAPI dependencies."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from assistant.rasa_client import RasaClient
from database.core import get_session_factory
from gateway.broadcast import Broadcast
from gateway.exceptions import CsrfFailed, Forbidden, Unauthorized
from gateway.rate_limits import get_rate_limiter
from gateway.settings import get_settings
from handoff.agents import authenticate_token_or_raise
from handoff.exceptions import InvalidSession, InvalidToken
from handoff.models import AgentSession, AgentUser
from handoff.sessions import csrf_matches, get_session_or_raise
from translation.responses import ResponseCatalog
from translation.service import TranslationService


def get_db() -> Iterator[Session]:
    with get_session_factory()() as session:
        yield session


def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


def get_rasa_replicas(request: Request) -> list[RasaClient]:
    """Every Rasa replica by its own address (empty with one Rasa server)."""
    return request.app.state.rasa_replicas


def get_broadcast(request: Request) -> Broadcast | None:
    """The other gateway replicas, when there are any (REDIS_URL)."""
    return getattr(request.app.state, "broadcast", None)


def get_responses(request: Request) -> ResponseCatalog:
    return request.app.state.responses


def get_translator(request: Request) -> TranslationService:
    return request.app.state.translator


_bearer = HTTPBearer(auto_error=False)
#: The console's session cookie (HttpOnly, SameSite=Strict; Secure over https).
SESSION_COOKIE = "shopbot_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class SignedIn:
    """Who makes the request, and their console session when they came with the cookie (None: API token)."""

    user: AgentUser
    session: AgentSession | None


def get_signed_in(
    request: Request, db_session: Annotated[Session, Depends(get_db)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> SignedIn:
    """A bearer API token (scripts), or else the session cookie; with the cookie, state-changing requests must
    send the session's `X-CSRF-Token`."""
    if credentials is not None:
        try:
            signed_in = SignedIn(authenticate_token_or_raise(db_session=db_session, token=credentials.credentials),
                                 None)
        except InvalidToken as error:
            raise Unauthorized(str(error)) from error
    else:
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id:
            raise Unauthorized("sign in, or send an API token as 'Authorization: Bearer TOKEN'")
        try:
            session, user = get_session_or_raise(db_session=db_session, session_id=session_id)
        except InvalidSession as error:
            raise Unauthorized(str(error)) from error
        if request.method not in SAFE_METHODS and not csrf_matches(session, request.headers.get("x-csrf-token")):
            raise CsrfFailed("send the session's CSRF token (from sign-in or /api/v1/auth/me) as X-CSRF-Token")
        signed_in = SignedIn(user, session)
    if db_session.dirty:  # last use of the token or session
        db_session.commit()
    return signed_in


def get_current_agent(signed_in: Annotated[SignedIn, Depends(get_signed_in)]) -> AgentUser:
    """Agents and admins."""
    return signed_in.user


def get_current_admin(signed_in: Annotated[SignedIn, Depends(get_signed_in)]) -> AgentUser:
    if signed_in.user.role != "admin":
        raise Forbidden("this needs an admin account")
    return signed_in.user


async def _count_request(user: AgentUser) -> AgentUser:
    await get_rate_limiter().hit(get_settings().rate_limit_user, "user", str(user.id))
    return user


async def limited_agent(user: Annotated[AgentUser, Depends(get_current_agent)]) -> AgentUser:
    """The agent, with the request counted against GATEWAY_RATE_LIMIT_USER."""
    return await _count_request(user)


async def limited_admin(user: Annotated[AgentUser, Depends(get_current_admin)]) -> AgentUser:
    return await _count_request(user)


SessionDep = Annotated[Session, Depends(get_db)]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
RasaReplicasDep = Annotated[list[RasaClient], Depends(get_rasa_replicas)]
BroadcastDep = Annotated[Broadcast | None, Depends(get_broadcast)]
ResponsesDep = Annotated[ResponseCatalog, Depends(get_responses)]
TranslatorDep = Annotated[TranslationService, Depends(get_translator)]
SignedInDep = Annotated[SignedIn, Depends(get_signed_in)]
CurrentAgent = Annotated[AgentUser, Depends(limited_agent)]
CurrentAdmin = Annotated[AgentUser, Depends(limited_admin)]
