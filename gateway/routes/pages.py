from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
def chat_page() -> FileResponse:
    """A plain page to chat with the assistant in a browser."""
    return FileResponse(STATIC / "chat.html", media_type="text/html")


@router.get("/agent")
def agent_console() -> FileResponse:
    """The agents' console: ticket queue, packaged history, bilingual transcript, translated replies."""
    return FileResponse(STATIC / "agent.html", media_type="text/html")
