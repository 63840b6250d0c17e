"""Password sign-in to the agent console in headless Chromium, against a gateway started alone (no Rasa: the
sign-in and the ticket queue do not need it): queue, reload, sign-out, wrong password, CSRF, lockout."""

import os
import sys

import pytest
from playwright.sync_api import Page, expect

from database.core import session_scope
from database.settings import REPO_ROOT
from runtime.processes import Service, free_port, wait_until_healthy
from tests.conftest import TEST_VAR
from tests.factories import create_account, open_ticket
from tests.stack.browser import screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def gateway_url(seeded_database) -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    gateway = Service(
        name="gateway", command=[sys.executable, "-m", "uvicorn", "gateway.app:app", "--host", "127.0.0.1",
                                 "--port", str(port), "--no-access-log"],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "GATEWAY_RASA_URL": f"http://127.0.0.1:{free_port()}"},
        health_url=f"{url}/agent", is_healthy=lambda response: response.status_code == 200,
        log_path=TEST_VAR / "logs" / f"gateway-signin-{port}.log")
    gateway.start()
    try:
        wait_until_healthy([gateway], timeout=60, progress=lambda line: None)
        yield url
    finally:
        gateway.stop()


def new_page(browser) -> tuple[Page, list[str]]:
    """A page and the errors its console logs (a Content-Security-Policy violation would show there)."""
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return page, errors


def sign_in(page: Page, name: str, password: str) -> None:
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("#signin")


def test_agent_signs_in_with_a_password_stays_signed_in_and_signs_out(gateway_url, browser):
    with session_scope() as db_session:
        agent, _ = create_account(db_session, password=PASSWORD)
        ticket = open_ticket(db_session, "browser-signin-1")
    page, errors = new_page(browser)
    page.goto(gateway_url + "/agent")
    expect(page.locator("#username")).to_be_visible()
    expect(page.locator("#token")).to_be_hidden()  # the API token option is collapsed
    screenshot(page, "signin_form.png")

    sign_in(page, agent.name, "not the password")
    expect(page.locator("#login-error")).to_have_text("Wrong user name or password.")
    screenshot(page, "signin_wrong_password.png")

    sign_in(page, agent.name, PASSWORD)
    expect(page.locator(f".ticket[data-id='{ticket.id}']")).to_be_visible()
    expect(page.locator("#who")).to_contain_text(agent.name)
    screenshot(page, "signin_queue.png")

    page.reload()
    expect(page.locator(f".ticket[data-id='{ticket.id}']")).to_be_visible()
    expect(page.locator("#login")).to_be_hidden()

    # A request forged from the page without the CSRF token is refused; the console's own one works
    forged = page.evaluate("""async (id) => (await fetch(`/api/v1/tickets/${id}/claim`,
                                {method: "POST", credentials: "same-origin"})).status""", ticket.id)
    assert forged == 403
    page.click(f".ticket[data-id='{ticket.id}']")
    page.click("#claim")
    expect(page.locator(f".ticket[data-id='{ticket.id}'] .badge.claimed")).to_be_visible()

    page.click("#signout")
    expect(page.locator("#username")).to_be_visible()
    page.reload()
    expect(page.locator("#username")).to_be_visible()
    expect(page.locator("#app")).to_be_hidden()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.close()


def test_the_admin_console_signs_in_admins_and_turns_agents_away(gateway_url, browser):
    with session_scope() as db_session:
        admin, _ = create_account(db_session, role="admin", password=PASSWORD)
        agent, _ = create_account(db_session, password=PASSWORD)
    page, errors = new_page(browser)
    page.goto(gateway_url + "/admin")
    sign_in(page, agent.name, PASSWORD)
    expect(page.locator("#login-error")).to_contain_text("agent, not an admin")
    expect(page.locator("#app")).to_be_hidden()
    sign_in(page, admin.name, PASSWORD)
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#who")).to_contain_text(admin.name)
    screenshot(page, "signin_admin.png")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.close()


def test_repeated_wrong_passwords_lock_the_account(gateway_url, browser):
    with session_scope() as db_session:
        agent, _ = create_account(db_session, password=PASSWORD)
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(gateway_url + "/agent")
    for _ in range(4):
        sign_in(page, agent.name, "not the password")
        expect(page.locator("#login-error")).to_have_text("Wrong user name or password.")
        page.fill("#password", "")
    sign_in(page, agent.name, "not the password")
    expect(page.locator("#login-error")).to_contain_text("locked after too many wrong passwords")
    sign_in(page, agent.name, PASSWORD)  # the right password is refused while locked
    expect(page.locator("#login-error")).to_contain_text("Try again in 15 minutes")
    expect(page.locator("#app")).to_be_hidden()
    screenshot(page, "signin_locked.png")
    page.close()
