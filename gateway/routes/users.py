"""Admins manage agent and admin accounts: create, deactivate, reactivate, set a password, and the accounts'
API tokens for scripts (a new token is shown once)."""

from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from audit import service as audit
from database.types import UtcDatetime
from gateway.deps import CurrentAdmin, SessionDep
from gateway.schemas import RowId
from handoff import agents
from handoff.models import AgentUser

router = APIRouter(prefix="/api/v1/admin/users", tags=["users"])


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str | None
    role: str
    active: bool
    has_password: bool
    locked_until: UtcDatetime | None
    created_at: UtcDatetime | None

    @classmethod
    def of(cls, user: AgentUser) -> "UserRead":
        return cls(id=user.id, name=user.name, email=user.email, role=user.role, active=user.active,
                   has_password=user.password_hash is not None, locked_until=user.locked_until,
                   created_at=user.created_at)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    role: Literal["agent", "admin"]
    email: str | None = Field(default=None, max_length=254)
    password: str | None = Field(default=None, max_length=1024)


class PasswordBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=1024)


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(default="", max_length=100)
    expires_at: UtcDatetime | None = None


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    created_at: UtcDatetime | None
    expires_at: UtcDatetime | None
    revoked_at: UtcDatetime | None
    last_used_at: UtcDatetime | None


def _user(db_session, user_id: int) -> AgentUser:
    return agents.get_or_raise(db_session=db_session, user_id=user_id)


@router.get("", response_model=list[UserRead])
def list_users(db_session: SessionDep, admin: CurrentAdmin) -> list[UserRead]:
    return [UserRead.of(user) for user in agents.list_users(db_session=db_session)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, db_session: SessionDep, admin: CurrentAdmin) -> dict[str, Any]:
    """The account and its first API token (`api_token`, shown once). Without a password it can only use
    tokens until one is set."""
    user, token = agents.create_user(db_session=db_session, name=body.name, role=body.role, email=body.email,
                                     password=body.password)
    audit.record(db_session=db_session, action="user.created", actor=admin, subject_type="user", subject_id=user.id,
                 details={"name": user.name, "role": user.role})
    db_session.commit()
    return {"user": UserRead.of(user).model_dump(mode="json"), "api_token": token}


def _switch(db_session, admin: AgentUser, user_id: int, *, active: bool) -> UserRead:
    user = _user(db_session, user_id)
    (agents.reactivate_user if active else agents.deactivate_user)(db_session=db_session, user=user)
    audit.record(db_session=db_session, action="user.reactivated" if active else "user.deactivated", actor=admin,
                 subject_type="user", subject_id=user.id)
    db_session.commit()
    return UserRead.of(user)


@router.post("/{user_id}/deactivate", response_model=UserRead)
def deactivate_user(user_id: RowId, db_session: SessionDep, admin: CurrentAdmin) -> UserRead:
    """No more sign-ins or API calls; the account's console sessions end now."""
    return _switch(db_session, admin, user_id, active=False)


@router.post("/{user_id}/reactivate", response_model=UserRead)
def reactivate_user(user_id: RowId, db_session: SessionDep, admin: CurrentAdmin) -> UserRead:
    return _switch(db_session, admin, user_id, active=True)


@router.put("/{user_id}/password", status_code=status.HTTP_204_NO_CONTENT)
def set_password(user_id: RowId, body: PasswordBody, db_session: SessionDep, admin: CurrentAdmin) -> None:
    user = _user(db_session, user_id)
    agents.set_password(db_session=db_session, user=user, password=body.password)
    audit.record(db_session=db_session, action="user.password_set", actor=admin, subject_type="user",
                 subject_id=user.id)
    db_session.commit()


@router.get("/{user_id}/tokens", response_model=list[TokenRead])
def list_tokens(user_id: RowId, db_session: SessionDep, admin: CurrentAdmin) -> list:
    return agents.list_api_tokens(db_session=db_session, user=_user(db_session, user_id))


@router.post("/{user_id}/tokens", status_code=status.HTTP_201_CREATED)
def create_token(user_id: RowId, body: TokenCreate, db_session: SessionDep, admin: CurrentAdmin) -> dict[str, Any]:
    """A new API token (`api_token`, shown once), optionally expiring at `expires_at`."""
    user = _user(db_session, user_id)
    row, token = agents.create_api_token(db_session=db_session, user=user, label=body.label,
                                         expires_at=body.expires_at)
    audit.record(db_session=db_session, action="user.token_created", actor=admin, subject_type="user",
                 subject_id=user.id, details={"token_id": row.id, "label": row.label})
    db_session.commit()
    return {"token": TokenRead.model_validate(row).model_dump(mode="json"), "api_token": token}


@router.delete("/{user_id}/tokens/{token_id}", response_model=TokenRead)
def revoke_token(user_id: RowId, token_id: RowId, db_session: SessionDep, admin: CurrentAdmin):
    row = agents.revoke_api_token(db_session=db_session, user=_user(db_session, user_id), token_id=token_id)
    audit.record(db_session=db_session, action="user.token_revoked", actor=admin, subject_type="user",
                 subject_id=user_id, details={"token_id": row.id})
    db_session.commit()
    return row
