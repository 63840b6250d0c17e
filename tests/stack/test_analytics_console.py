"""The admin console's Analytics tab in headless Chromium: the demo shop's fortnight of history plus a
conversation of this test (handed over, closed, rated 5 with the quick reply) shown per language with the
server-drawn chart; the CSV export downloads.

The gateway runs for real (uvicorn on a free port, its own database) against the fake Rasa: the page and the
report need no model."""

import csv
import io
import re
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from playwright.sync_api import expect

from tests.gateway.conftest import gateway_environment, own_database, prepare_database
from tests.gateway.fake_rasa import FakeRasa
from tests.local_server import LocalServer
from tests.stack.browser import screenshot

pytestmark = [pytest.mark.browser]
PASSWORD = "analytics console password"


class Gateway(LocalServer):
    """The whole gateway app with its lifespan (Rasa client, responses, workers)."""

    def _app(self):
        from gateway.app import create_app

        return create_app()

    def start(self) -> None:
        import threading
        import time

        self._server = uvicorn.Server(uvicorn.Config(self._app(), host="127.0.0.1", port=self.port,
                                                     log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        while not self._server.started:
            time.sleep(0.02)


@pytest.fixture(scope="module")
def gateway() -> Iterator[str]:
    fake_rasa = FakeRasa()
    fake_rasa.start()
    env = {**own_database(), "GATEWAY_RASA_URL": fake_rasa.url, "GATEWAY_RATE_LIMIT_CLIENT": "1000/minute"}
    with gateway_environment(env):
        prepare_database()
        from analytics.demo import seed_demo_history
        from database.core import session_scope
        from shop.source import SqlOrderSource

        with session_scope() as db_session:
            seed_demo_history(db_session=db_session, source=SqlOrderSource(db_session))
        server = Gateway()
        server.start()
        yield server.url
        server.stop()
    fake_rasa.stop()


def test_the_analytics_tab_shows_automation_and_csat_per_language(gateway, browser):
    from database.core import session_scope
    from handoff.agents import create_user

    with session_scope() as db_session:
        admin, admin_token = create_user(db_session=db_session, name="analytics-admin", role="admin",
                                         password=PASSWORD)
        admin_name = admin.name
    bearer = {"Authorization": f"Bearer {admin_token}"}
    # A Korean shopper of this test: handed to a person, the ticket closed, rated with the "5" quick reply
    first = httpx.post(f"{gateway}/api/v1/chat", json={"sender_id": "analytics-ko", "text": "person please",
                                                       "language": "ko"}).json()
    secret = {"X-Conversation-Token": first["conversation_token"]}
    ticket = first["handoff"]["ticket_id"]
    assert httpx.post(f"{gateway}/api/v1/tickets/{ticket}/close", headers=bearer).status_code == 200
    history = httpx.get(f"{gateway}/api/v1/conversations/analytics-ko/messages", headers=secret).json()
    five = history[-1]["buttons"][-1]
    assert five["payload"] == "5"
    httpx.post(f"{gateway}/api/v1/chat", headers=secret,
               json={"sender_id": "analytics-ko", "text": five["payload"], "language": "ko"}).raise_for_status()

    report = httpx.get(f"{gateway}/api/v1/admin/analytics", headers=bearer).json()
    assert len(report["languages"]) == 16 and report["languages"]["ko"]["csat"]["count"] >= 1

    page = browser.new_page(viewport={"width": 1300, "height": 1500})
    page.goto(f"{gateway}/admin#analytics")
    page.fill("#username", admin_name)
    page.fill("#password", PASSWORD)
    page.click("#signin")
    expect(page.locator("#tab-analytics")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#an-summary")).to_contain_text("conversations, automation")
    rows = page.locator("#an-languages tbody tr")
    expect(rows).to_have_count(16)
    korean = rows.filter(has=page.locator("th", has_text="ko"))
    ko = report["languages"]["ko"]
    expect(korean).to_contain_text(f"{ko['automation_rate'] * 100:.1f}%")
    expect(korean).to_contain_text(f"{ko['csat']['mean']:.2f} ({ko['csat']['count']})")
    expect(page.locator("#an-chart")).to_have_attribute("src", re.compile(r"^blob:"))
    assert page.locator("#an-chart").evaluate("img => img.complete && img.naturalWidth") > 400
    expect(page.locator("#an-reasons")).to_contain_text("shopper_request")
    screenshot(page, "admin-analytics.png", full_page=True)

    with page.expect_download() as download:
        page.click("#an-csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert {r["key"] for r in rows if r["scope"] == "language"} == set(report["languages"])
    page.close()
