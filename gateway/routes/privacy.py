"""Shoppers' data rights for admins: export everything held about one shopper, or erase it (audited)."""

from typing import Any, Literal

from anyio import to_thread
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from database.core import session_scope
from gateway.deps import CurrentAdmin, SessionDep
from gateway.schemas import RowId
from privacy import service

router = APIRouter(prefix="/api/v1/admin/privacy", tags=["privacy"])


class SubjectQuery(BaseModel):
    """Exactly one of the shopper's e-mail, customer id or a conversation's sender id."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str | None = Field(default=None, min_length=3, max_length=320)
    customer_id: RowId | None = None
    sender_id: str | None = Field(default=None, min_length=1, max_length=128)

    @model_validator(mode="after")
    def _exactly_one(self) -> "SubjectQuery":
        if sum(v is not None for v in (self.email, self.customer_id, self.sender_id)) != 1:
            raise ValueError("name the shopper by exactly one of email, customer_id, sender_id")
        return self


class EraseRequest(SubjectQuery):
    confirm: Literal[True] = Field(description="must be true: erasure cannot be undone")


def _find(db_session, body: SubjectQuery):
    return service.find_subject(db_session=db_session, email=body.email, customer_id=body.customer_id,
                                sender_id=body.sender_id)


@router.post("/export")
def export_subject(body: SubjectQuery, db_session: SessionDep, admin: CurrentAdmin) -> JSONResponse:
    """One JSON document with everything held about the shopper (served as a file download)."""
    subject = _find(db_session, body)
    document = service.export(db_session=db_session, subject=subject)
    service.record_export(db_session=db_session, subject=subject, actor=admin)
    db_session.commit()
    return JSONResponse(document, headers={"Content-Disposition": 'attachment; filename="shopper-data.json"',
                                           "Cache-Control": "no-store"})


@router.post("/erase")
async def erase_subject(body: EraseRequest, db_session: SessionDep, admin: CurrentAdmin) -> dict[str, Any]:
    """Delete or anonymise the shopper's data in every store; the counts per store."""
    def erase() -> dict[str, int]:
        counts = service.erase(db_session=db_session, subject=_find(db_session, body), actor=admin)
        db_session.commit()
        with session_scope() as session:
            service.purge_freed_pages(session)
        return counts

    return {"erased": await to_thread.run_sync(erase)}
