"""`POST /api/v1/shop/events`: the shop tells the assistant about its orders (signed with SHOP_EVENTS_SECRET);
the assistant reaches out to the shopper where the event calls for it (proactive/flows.py)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gateway.blocking import in_thread
from gateway.deps import SessionDep
from proactive.flows import shop_event_flow
from proactive.service import SIGNATURE_HEADER

router = APIRouter(prefix="/api/v1/shop", tags=["shop events"])


@router.post("/events", status_code=202, responses={200: {"description": "an event id received before"}})
async def receive_event(request: Request, db_session: SessionDep) -> Any:
    body = await request.body()
    new = await in_thread(shop_event_flow, db_session=db_session, body=body,
                          signature_header=request.headers.get(SIGNATURE_HEADER))
    if not new:
        return JSONResponse(status_code=200, content={"status": "duplicate"})
    return {"status": "accepted"}
