"""The audit log for admins: who claimed, replied, closed, changed training data, switched models, managed
accounts or signed in (or failed to)."""


from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from audit import service as audit_service
from database.types import UtcDatetime
from gateway.deps import CurrentAdmin, SessionDep

router = APIRouter(prefix="/api/v1/admin/audit", tags=["audit"])


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDatetime | None
    actor_id: int | None
    actor_name: str | None
    action: str
    subject_type: str | None
    subject_id: str | None
    details: dict


@router.get("", response_model=list[AuditEventRead])
def list_audit_events(
    db_session: SessionDep, admin: CurrentAdmin, limit: int = Query(default=100, ge=1, le=1000),
    action: str | None = Query(default=None, max_length=64),
) -> list:
    """The newest events first."""
    return audit_service.list_events(db_session=db_session, limit=limit, action=action)
