"""Shared FastAPI dependencies."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from database.core import get_session_factory
from gateway.exceptions import Forbidden, Unauthorized
from gateway.rasa_client import RasaClient
from handoff.agents import authenticate_or_raise
from handoff.exceptions import InvalidToken
from handoff.models import AgentUser
from translation.responses import ResponseCatalog
from translation.service import TranslationService


def get_db() -> Iterator[Session]:
    with get_session_factory()() as session:
        yield session


def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


def get_responses(request: Request) -> ResponseCatalog:
    return request.app.state.responses


def get_translator(request: Request) -> TranslationService:
    return request.app.state.translator


_bearer = HTTPBearer(auto_error=False)


def _user(db_session: Session, credentials: HTTPAuthorizationCredentials | None) -> AgentUser:
    if credentials is None:
        raise Unauthorized("send an agent or admin token as 'Authorization: Bearer TOKEN'")
    try:
        return authenticate_or_raise(db_session=db_session, token=credentials.credentials)
    except InvalidToken as error:
        raise Unauthorized(str(error)) from error


def get_current_agent(
    db_session: Annotated[Session, Depends(get_db)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AgentUser:
    """Agents and admins."""
    return _user(db_session, credentials)


def get_current_admin(
    db_session: Annotated[Session, Depends(get_db)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AgentUser:
    user = _user(db_session, credentials)
    if user.role != "admin":
        raise Forbidden("this needs an admin token")
    return user


SessionDep = Annotated[Session, Depends(get_db)]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
ResponsesDep = Annotated[ResponseCatalog, Depends(get_responses)]
TranslatorDep = Annotated[TranslationService, Depends(get_translator)]
CurrentAgent = Annotated[AgentUser, Depends(get_current_agent)]
CurrentAdmin = Annotated[AgentUser, Depends(get_current_admin)]
