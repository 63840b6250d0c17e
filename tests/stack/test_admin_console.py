"""The admin console (/admin) in headless Chromium: sign-in (agents refused), the misunderstood inbox, a new
intent with its response, training data, and the jobs and models panels.

Nothing here trains or switches the real model (tests/stack covers training end to end elsewhere): the parts
marked UI-ONLY answer the browser's API calls with Playwright routes, to check how the page reacts to a running
job, a refused activation and an evaluation report."""

import json
import secrets
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Page, expect

from database.core import session_scope
from handoff.agents import create_user
from tests.stack.browser import screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser]

ADMIN_API = "/api/v1/admin"
MARS = ["what's the weather on mars", "what is the weather like on mars today", "how hot is it on mars right now"]
GIFT = ["do you sell sunscreen for dogs", "do you have sunscreen for my dog"]


PASSWORD = "console password"


@pytest.fixture(scope="module")
def tokens() -> dict[str, str]:
    """API tokens of an admin and an agent (for the API calls), and their names (`admin_name`, `agent_name`)
    to sign in to the console with PASSWORD."""
    suffix = secrets.token_hex(3)
    with session_scope() as session:
        admin_user, admin = create_user(db_session=session, name=f"console-admin-{suffix}", role="admin",
                                        password=PASSWORD)
        agent_user, agent = create_user(db_session=session, name=f"console-agent-{suffix}", role="agent",
                                        password=PASSWORD)
    return {"admin": admin, "agent": agent, "admin_name": admin_user.name, "agent_name": agent_user.name}


def admin_get(running_stack, token: str, path: str) -> httpx.Response:
    return httpx.get(running_stack.url + ADMIN_API + path, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def group_with(inbox: dict, word: str) -> dict | None:
    return next((g for g in inbox["groups"] if any(word in m["text"] for m in g["items"])), None)


def group_card(page: Page, group: dict):
    """An inbox group in the page (keyed by its first message)."""
    return page.locator(f".group[data-key='{group['items'][0]['message_id']}']")


def sign_in(page: Page, name: str) -> None:
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("#signin")


def test_agents_get_403_on_the_admin_api(running_stack, tokens):
    for path in ("/inbox", "/intents", "/jobs", "/models"):
        response = admin_get(running_stack, tokens["agent"], path)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "forbidden"
    refused = httpx.post(running_stack.url + ADMIN_API + "/train",
                         headers={"Authorization": f"Bearer {tokens['agent']}"})
    assert refused.status_code == 403


def test_admin_reviews_the_inbox_and_manages_training_data(running_stack, browser, tokens):
    for i, text in enumerate(MARS + GIFT):
        running_stack.chat(f"e2e-admin-console-{i}", text)
    inbox = admin_get(running_stack, tokens["admin"], "/inbox").json()
    mars, gift = group_with(inbox, "mars"), group_with(inbox, "sunscreen")
    assert mars is not None and mars["count"] >= 2, inbox
    assert gift is not None and gift is not mars, inbox

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(running_stack.url + "/admin")

    # An agent's account: a clear message, no console
    sign_in(page, tokens["agent_name"])
    expect(page.locator("#login-error")).to_contain_text("agent, not an admin")
    expect(page.locator("#app")).to_be_hidden()
    screenshot(page, "admin_login_agent_refused.png")

    sign_in(page, tokens["admin_name"])
    expect(page.locator("#tab-inbox")).to_have_attribute("aria-selected", "true")
    mars_group = group_card(page, mars)
    expect(mars_group).to_be_visible()
    expect(page.locator("#inbox-count")).to_have_text(str(inbox["messages"]))

    # Expand the group with the keyboard: its messages, with the predicted intent
    mars_group.locator(".disclose").focus()
    page.keyboard.press("Enter")
    expect(mars_group.locator(".items")).to_be_visible()
    expect(mars_group.locator(".items tbody tr")).to_have_count(mars["count"])
    expect(mars_group.locator(".items")).to_contain_text("out_of_scope")
    expect(mars_group.locator(".items td[dir='auto']").first).to_be_visible()
    screenshot(page, "admin_inbox.png", full_page=True)

    # The whole group is out of scope: confirmed, and it leaves the inbox
    mars_group.get_by_role("group", name="Review all").get_by_role("button", name="Out of scope").click()
    expect(page.locator("#notice")).to_contain_text(f"{mars['count']} messages marked out of scope")
    expect(mars_group).to_have_count(0)

    # "Create new intent…" on the other group: the intent form, then the group is assigned to the new intent
    gift_group = group_card(page, gift)
    gift_group.get_by_role("group", name="Review all").get_by_role("combobox").select_option("__new__")
    dialog = page.locator("#intent-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#intent-pending")).to_contain_text(f"{gift['count']} inbox message")
    expect(page.locator("#in-name")).to_be_focused()
    page.fill("#in-name", "Pet Sunscreen")  # not a valid name: the API's message is shown in the form
    page.fill("#in-response-en", "We don't sell sunscreen for pets, sorry. Ask your vet for a pet-safe one.")
    page.click("#add-translation")
    page.locator(".translation select").select_option("es")
    page.locator(".translation textarea").fill("No vendemos protector solar para mascotas, lo sentimos.")
    page.fill("#in-examples", "is there sunscreen for cats")
    page.click("#intent-save")
    expect(page.locator("#intent-problem")).to_contain_text("not a valid intent name")
    screenshot(page, "admin_intent_dialog.png")
    page.fill("#in-name", "pet_sunscreen")
    page.click("#intent-save")
    expect(dialog).to_be_hidden()
    expect(page.locator("#notice")).to_contain_text("Intent pet_sunscreen created with its response in en, es")
    expect(page.locator("#notice")).to_contain_text(f"{gift['count']} inbox messages assigned to it")
    expect(gift_group).to_have_count(0)
    intents = {i["name"]: i for i in admin_get(running_stack, tokens["admin"], "/intents").json()}
    assert intents["pet_sunscreen"]["created_by_admin"]
    assert intents["pet_sunscreen"]["examples_added"] == 1 + gift["count"]

    # Training data: the new intent's examples (from the inbox and the form), add one, import a file
    page.click("#tab-training")
    page.locator(".intent-link[data-intent='pet_sunscreen']").click()
    expect(page.locator("#examples-title")).to_contain_text("pet_sunscreen")
    expect(page.locator("#examples tbody tr")).to_have_count(1 + gift["count"])
    expect(page.locator("#examples")).to_contain_text("inbox by console-admin")
    page.select_option("#ex-language", "fr")
    page.fill("#ex-texts", "vendez-vous de la crème solaire pour chiens")
    page.fill("#ex-texts-en", "do you sell sunscreen for dogs")
    page.click("#examples-form button[type=submit]")
    expect(page.locator("#ex-result")).to_contain_text("1 example stored for pet_sunscreen")
    expect(page.locator("#examples tbody tr")).to_have_count(2 + gift["count"])

    bad = "nlu:\n- intent: pet_sunscreen\n  examples: |\n    - sunscreen for my cat?\n    sunscreen for my hamster\n"
    page.set_input_files("#import-file", files=[{"name": "pets.yml", "mimeType": "application/x-yaml",
                                                 "buffer": bad.encode()}])
    page.click("#import-btn")
    expect(page.locator("#import-problem")).to_contain_text("pets.yml was not imported: line 5")
    screenshot(page, "admin_import_error.png", full_page=True)
    good = bad.replace("    sunscreen for my hamster", "    - sunscreen for my hamster")
    page.set_input_files("#import-file", files=[{"name": "pets.yml", "mimeType": "application/x-yaml",
                                                 "buffer": good.encode()}])
    page.click("#import-btn")
    expect(page.locator("#import-result")).to_contain_text("2 examples imported from pets.yml")
    expect(page.locator("#import-problem")).to_be_empty()
    expect(page.locator("#examples tbody tr")).to_have_count(4 + gift["count"])
    screenshot(page, "admin_training_data.png", full_page=True)

    # Tabs by keyboard: arrow keys move between the panels
    page.locator("#tab-training").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-jobs")).to_be_focused()
    expect(page.locator("#panel-jobs")).to_be_visible()
    expect(page.locator("#jobs")).to_contain_text("No jobs yet")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#panel-models")).to_be_visible()
    active = page.locator("#models-table tbody tr.is-active")
    expect(active).to_have_count(1)
    expect(active).to_contain_text("tests")
    expect(active.locator(".badge.active")).to_have_text("active")
    screenshot(page, "admin_models.png", full_page=True)

    # A rollback with no earlier model: confirmed first, then the API's refusal is shown
    page.click("#rollback")
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.click("#confirm-ok")
    expect(page.locator("#notice .error")).to_contain_text("no earlier active version")
    page.close()


def fake_model(version_id: int, *, active: bool, accuracy: float) -> dict:
    return {"id": version_id, "name": f"nlu-candidate-{version_id}.tar.gz", "fingerprint": "f" * 16,
            "trained_by": "someone", "training_seconds": 61.5, "examples": 12, "active": active,
            "metrics": {"accuracy": accuracy, "macro_f1": accuracy - 0.05, "out_of_scope_recall": 0.8},
            "activated_at": datetime.now(UTC).isoformat() if active else None,
            "activated_by": "console-admin" if active else None, "created_at": datetime.now(UTC).isoformat()}


def fake_job(job_id: int, kind: str, status: str, progress: float, stage: str, **fields) -> dict:
    now = datetime.now(UTC).isoformat()
    return {"id": job_id, "kind": kind, "status": status, "progress": progress, "stage": stage, "error": None,
            "result": None, "requested_by": "console-admin", "created_at": now, "started_at": now,
            "finished_at": None if status in ("queued", "running") else now, **fields}


def test_ui_only_job_progress_refused_activation_and_report(running_stack, browser, tokens):
    """UI-ONLY: the API answers below are Playwright routes, not the gateway (no training, no model switch)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    calls = {"activate": [], "job_polls": 0}
    training = fake_job(902, "train", "running", 0.3, "training (rasa train)")
    jobs = [training,
            fake_job(901, "evaluate", "succeeded", 1.0, "done",
                     result={"metrics": {"accuracy": 0.912, "macro_f1": 0.874}}),
            fake_job(900, "train", "failed", 0.1, "validating the training data (rasa data validate)",
                     error="rasa data validate failed (the job log has Rasa's output)")]

    def json_reply(route, body, status=200):
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    def job_detail(route):
        job_id = int(route.request.url.rsplit("/", 1)[1])
        if job_id == training["id"]:  # each poll moves the job on; the fifth one finishes it
            calls["job_polls"] += 1
            training.update(progress=min(1.0, 0.3 + 0.15 * calls["job_polls"]))
            if training["progress"] >= 1.0:
                training.update(status="succeeded", stage="done", finished_at=datetime.now(UTC).isoformat(),
                                 result={"version": 903, "training_seconds": 58.2, "metrics": None})
        job = next(j for j in jobs if j["id"] == job_id)
        json_reply(route, {**job, "log": "\n".join(f"[{n:>3}%] step {n}" for n in range(0, 101, 5))})

    def models(route):
        real = route.fetch().json()
        json_reply(route, [fake_model(903, active=bool(calls["activate"]), accuracy=0.88)]
                   + [{**m, "active": m["active"] and not calls["activate"]} for m in real])

    def activate(route):
        override = json.loads(route.request.post_data or "{}").get("override")
        calls["activate"].append(override)
        if not override:
            json_reply(route, {"error": {"code": "activation_refused", "message": (
                "model version 903 scores below the active model on the held-out set (accuracy 0.880 < 0.912); "
                "activate with override to switch anyway")}}, status=409)
        else:
            json_reply(route, fake_model(903, active=True, accuracy=0.88))

    page.route(f"**{ADMIN_API}/jobs", lambda route: json_reply(route, jobs))
    page.route(f"**{ADMIN_API}/jobs/*", job_detail)
    page.route(f"**{ADMIN_API}/jobs/901/report", lambda route: route.fulfill(
        content_type="text/html", body="<h1>Evaluation of nlu-candidate-903</h1><p>accuracy 0.912</p>"))
    page.route(f"**{ADMIN_API}/train", lambda route: json_reply(route, {"error": {
        "code": "job_running", "message": "training job 902 is running; one training job runs at a time"}}, 409))
    page.route(f"**{ADMIN_API}/models", models)
    page.route(f"**{ADMIN_API}/models/903/activate", activate)

    page.goto(running_stack.url + "/admin#jobs")
    sign_in(page, tokens["admin_name"])
    expect(page.locator("#panel-jobs")).to_be_visible()

    # Train now while a job runs: the 409 is a message; the running job's bar moves live and finishes
    page.click("#train")
    expect(page.locator("#train-message")).to_contain_text("one training job runs at a time")
    running = page.locator(".job[data-id='902']")
    running.locator("summary").click()
    expect(running.locator("pre")).to_contain_text("[100%] step 100")
    expect(running.locator(".badge")).to_have_text("running")
    screenshot(page, "admin_jobs_running.png", full_page=True)
    expect(running.locator(".badge")).to_have_text("succeeded", timeout=20_000)
    expect(running.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "100")
    expect(running).to_contain_text("Model version 903 trained in 58.2 s")
    expect(page.locator(".job[data-id='900'] .job-error")).to_contain_text("rasa data validate failed")

    # An evaluation's report: fetched with the session cookie, shown from a blob URL
    page.locator(".job[data-id='901'] button.report").click()
    expect(page.locator("#report-dialog")).to_be_visible()
    expect(page.frame_locator("#report-frame").locator("h1")).to_have_text("Evaluation of nlu-candidate-903")
    screenshot(page, "admin_jobs_report.png")
    page.click("#report-close")

    # Activation refused (409): the message and "Activate anyway", which sends override
    page.click("#tab-models")
    page.get_by_role("button", name="Activate version 903").click()
    confirm = page.locator("#confirm-dialog")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("scores below the active model")
    expect(page.locator("#confirm-cancel")).to_be_focused()  # the safe choice has the focus
    screenshot(page, "admin_activation_refused.png")
    page.get_by_role("button", name="Activate anyway").click()
    expect(page.locator("#notice")).to_contain_text("Model version 903 is now active (override)")
    assert calls["activate"] == [False, True]
    expect(page.locator("#models-table tr[data-id='903'] .badge.active")).to_have_text("active")
    screenshot(page, "admin_models_after_override.png", full_page=True)
    page.close()
