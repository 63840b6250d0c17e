from typing import Any

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.deps import RasaDep, ResponsesDep, SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(db_session: SessionDep, rasa: RasaDep, responses: ResponsesDep) -> dict[str, Any]:
    """`ok` when the database and Rasa (with a loaded model) answer; `degraded` otherwise."""
    try:
        db_session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        database = "down"
    status = await rasa.status()
    rasa_state = {"status": "ok" if status and status.get("model_file") else "down"}
    if status:
        rasa_state["model"] = status.get("model_file")
    languages = {lang: {"responses": "localized"} for lang in responses.languages}
    healthy = database == "ok" and rasa_state["status"] == "ok"
    return {"status": "ok" if healthy else "degraded", "database": database, "rasa": rasa_state,
            "languages": languages}
