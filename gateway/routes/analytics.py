"""Analytics for admins: the report as JSON, CSV and a chart (definitions in analytics/service.py)."""

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from analytics import export
from analytics import service as analytics_service
from gateway.deps import CurrentAdmin, SessionDep
from gateway.exceptions import GatewayError

router = APIRouter(prefix="/api/v1/admin/analytics", tags=["analytics"])
#: The longest window one request may cover (the report is computed on request).
MAX_DAYS = 366
DEFAULT_DAYS = 30


class InvalidWindow(GatewayError):
    status_code = 422
    code = "invalid_window"


def _window(since: date | None, until: date | None) -> tuple[date, date]:
    until = until or datetime.now(UTC).date()
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise InvalidWindow("since must not be after until")
    if (until - since).days >= MAX_DAYS:
        raise InvalidWindow(f"a window covers at most {MAX_DAYS} days")
    return since, until


Since = Annotated[date | None, Query(description="first day (UTC), default 30 days before until")]
Until = Annotated[date | None, Query(description="last day (UTC, included), default today")]


@router.get("")
def get_analytics(db_session: SessionDep, admin: CurrentAdmin, since: Since = None, until: Until = None) -> dict:
    """Conversations, automation, handoff and fallback rates and CSAT per language, channel and day, with the
    top intents and misunderstood messages and the agents' response times."""
    first, last = _window(since, until)
    return analytics_service.report(db_session=db_session, since=first, until=last)


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_csv(db_session: SessionDep, admin: CurrentAdmin, since: Since = None, until: Until = None) -> Response:
    first, last = _window(since, until)
    report = analytics_service.report(db_session=db_session, since=first, until=last)
    return Response(export.to_csv(report), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="shopbot-analytics-{first}-{last}.csv"'})


@router.get("/languages.png", response_class=Response, responses={200: {"content": {"image/png": {}}}})
def languages_chart(db_session: SessionDep, admin: CurrentAdmin, since: Since = None,
                    until: Until = None) -> Response:
    """The per-language rates drawn on the server (no chart script from a CDN); a plain function, which FastAPI
    runs in a worker thread, so the report's queries and the drawing stay off the event loop."""
    first, last = _window(since, until)
    report = analytics_service.report(db_session=db_session, since=first, until=last)
    png = export.languages_chart_png(report)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
