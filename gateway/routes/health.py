from typing import Any

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.blocking import in_thread
from gateway.deps import RasaDep, ResponsesDep, SessionDep, TranslatorDep
from gateway.settings import get_settings
from runtime.supervisor import read_status
from translation.languages import is_rtl
from translation.responses import BOT_LANGUAGE, ResponseCatalog
from translation.service import TranslationService
from translation.settings import get_settings as get_translation_settings

router = APIRouter(tags=["health"])


def language_states(responses: ResponseCatalog, translator: TranslationService) -> dict[str, dict[str, Any]]:
    """Per configured language: localized responses, the MT backend each way, and live translation."""
    states = {}
    for language in get_translation_settings().languages:
        to_en = translator.backend_for(src_lang=language, tgt_lang=BOT_LANGUAGE)
        from_en = translator.backend_for(src_lang=BOT_LANGUAGE, tgt_lang=language)
        states[language] = {
            "responses": "localized" if language in responses.languages else "english",
            "rtl": is_rtl(language),
            "mt_to_english": to_en.name if to_en else None,
            "mt_from_english": from_en.name if from_en else None,
            # Agents' replies and new responses need MT both ways; understanding works without it (encoder).
            "live_translation": language == BOT_LANGUAGE or bool(to_en and from_en),
        }
    return states


def _database_state(db_session) -> str:
    try:
        db_session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return "down"
    return "ok"


@router.get("/health")
async def health(
    db_session: SessionDep, rasa: RasaDep, responses: ResponsesDep, translator: TranslatorDep
) -> dict[str, Any]:
    """`ok` when the database and Rasa (with a loaded model) answer and no process is being restarted by the
    supervisor; `degraded` otherwise. Languages without an MT model are listed with `live_translation: false`;
    they still work (encoder + localized responses)."""
    database = await in_thread(_database_state, db_session)
    status = await rasa.status()
    rasa_state = {"status": "ok" if status and status.get("model_file") else "down"}
    if status:
        rasa_state["model"] = status.get("model_file")
    processes = read_status(get_settings().supervisor_status)
    restarting = sorted(name for name, state in (processes or {}).items() if state["status"] != "running")
    healthy = database == "ok" and rasa_state["status"] == "ok" and not restarting
    body = {"status": "ok" if healthy else "degraded", "database": database, "rasa": rasa_state,
            "languages": language_states(responses, translator)}
    if processes is not None:
        body["processes"] = processes
        body["restarting"] = restarting
    return body


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process answers: for load balancers and liveness probes, which must not take a replica out because
    Rasa or the database is slow (that is what `/health` reports)."""
    return {"status": "alive"}
