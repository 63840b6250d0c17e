from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

from gateway.deps import ResponsesDep
from gateway.widget import widget_script

STATIC = Path(__file__).resolve().parent.parent / "static"
#: The console pages' CSS and JavaScript (shared, and each page's own: no inline scripts), served under /static/.
SHARED_ASSETS = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8",
                 "agent.js": "text/javascript; charset=utf-8", "admin.js": "text/javascript; charset=utf-8",
                 "analytics.js": "text/javascript; charset=utf-8",
                 "agent_canned.js": "text/javascript; charset=utf-8",
                 "admin_canned.js": "text/javascript; charset=utf-8"}

router = APIRouter(include_in_schema=False)


@router.get("/")
def demo_shop() -> FileResponse:
    """A demo shop page with the web widget embedded the way a shop would embed it."""
    return FileResponse(STATIC / "shop.html", media_type="text/html")


@router.get("/widget.js")
def widget(responses: ResponsesDep) -> Response:
    """The web widget: `<script src="https://GATEWAY/widget.js" async></script>` on a shop's pages."""
    return Response(widget_script(responses), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/agent")
def agent_console() -> FileResponse:
    """The agents' console: ticket queue, packaged history, bilingual transcript, translated replies."""
    return FileResponse(STATIC / "agent.html", media_type="text/html")


@router.get("/admin")
def admin_console() -> FileResponse:
    """The admin console: misunderstood inbox, training data, training and evaluation jobs, model versions."""
    return FileResponse(STATIC / "admin.html", media_type="text/html")


@router.get("/static/{name}")
def shared_asset(name: str) -> FileResponse:
    """The consoles' CSS and JavaScript."""
    if name not in SHARED_ASSETS:
        raise HTTPException(status_code=404)
    return FileResponse(STATIC / name, media_type=SHARED_ASSETS[name])
