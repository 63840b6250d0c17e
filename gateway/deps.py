"""Shared FastAPI dependencies."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from database.core import get_session_factory
from gateway.rasa_client import RasaClient
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


SessionDep = Annotated[Session, Depends(get_db)]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
ResponsesDep = Annotated[ResponseCatalog, Depends(get_responses)]
TranslatorDep = Annotated[TranslationService, Depends(get_translator)]
