"""Admins teach the running assistant a new intent: examples in two languages through the API, a training
job, an evaluation, activation without downtime, and the new intent understood in a third language; a
conversation started before the switch carries on; rollback restores the previous model."""

import time

import httpx
import pytest

from shop.enums import OrderStatus

pytestmark = pytest.mark.stack

INTENT = "gift_wrapping"
ENGLISH = [
    "can you gift wrap my order", "do you offer gift wrapping", "I want this wrapped as a present",
    "is gift wrap available", "add gift wrapping please", "can I get it wrapped as a gift",
    "do you do gift packaging", "how much is gift wrapping", "please wrap it as a birthday present",
    "can you put it in gift paper", "I'd like a gift box for my order", "can the parcel be gift wrapped",
]
SPANISH = [
    "¿pueden envolverlo para regalo?", "quiero envoltorio de regalo", "¿ofrecen papel de regalo?",
    "envuélvanlo como regalo por favor", "¿cuánto cuesta envolver para regalo?",
    "¿me lo pueden mandar envuelto para regalo?", "necesito que venga en caja de regalo",
    "¿hay opción de envoltura de regalo?",
]
#: New phrasings in languages no example was written in.
GERMAN = "Können Sie meine Bestellung als Geschenk verpacken?"
FRENCH = "Pouvez-vous emballer ma commande en papier cadeau ?"
RESPONSES = {
    "en": "Yes, we gift-wrap any order for 3 EUR: choose 'gift wrapping' at checkout.",
    "es": "Sí, envolvemos cualquier pedido para regalo por 3 EUR: elige «envoltorio de regalo» al pagar.",
}


@pytest.fixture(scope="module")
def tokens(admin_token, agent_token) -> dict[str, str]:
    return {"admin": admin_token, "agent": agent_token}


def admin_api(running_stack, token: str) -> httpx.Client:
    return httpx.Client(base_url=f"{running_stack.url}/api/v1/admin", timeout=120,
                        headers={"Authorization": f"Bearer {token}"})


def wait_for_job(api: httpx.Client, job_id: int, timeout: float = 900) -> dict:
    seen_progress = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.get(f"/jobs/{job_id}").json()
        seen_progress.append(job["progress"])
        if job["status"] in ("succeeded", "failed"):
            assert job["status"] == "succeeded", f"job {job_id} failed: {job['error']}\n{job['log'][-3000:]}"
            assert seen_progress == sorted(seen_progress), "progress never goes backwards"
            return job
        time.sleep(1)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def parse(running_stack, text: str) -> dict:
    return httpx.post(f"{running_stack.url}/api/v1/parse", json={"text": text}, timeout=60).json()


def test_agents_cannot_reach_admin_endpoints(running_stack, tokens):
    agent = admin_api(running_stack, tokens["agent"])
    for method, path in [("GET", "/models"), ("POST", "/train"), ("GET", "/inbox"), ("POST", "/models/rollback")]:
        response = agent.request(method, path)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "forbidden"
    assert httpx.get(f"{running_stack.url}/api/v1/admin/models").status_code == 401


def test_a_bad_training_file_is_refused_with_its_line_and_the_model_keeps_serving(running_stack, tokens):
    api = admin_api(running_stack, tokens["admin"])
    bad = 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello there friend\n    hey\n'
    response = api.post("/examples/import", content=bad.encode(), headers={"content-type": "application/x-yaml"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_training_data"
    assert "line 6" in response.json()["error"]["message"]
    broken = 'nlu:\n- intent: greet\n  examples: |\n    - hi\n  - : [\n'
    response = api.post("/examples/import", content=broken.encode())
    assert response.status_code == 422 and "line" in response.json()["error"]["message"]
    not_text = api.post("/examples/import", content="nlu: é".encode("latin-1"))
    assert not_text.status_code == 422 and "UTF-8" in not_text.json()["error"]["message"]
    assert parse(running_stack, "where is my order 1000123")["intent"]["name"] == "order_status"


def test_new_intent_taught_trained_evaluated_activated_and_rolled_back(running_stack, tokens, fresh_order):
    api = admin_api(running_stack, tokens["admin"])
    # A conversation in flight before the switch: the assistant has asked for the order number
    order = fresh_order(OrderStatus.SHIPPED)
    sender = "admin-e2e-before-switch"
    assert "order number" in running_stack.say(sender, "where is my order?").lower()
    assert parse(running_stack, GERMAN)["intent"]["name"] != INTENT

    created = api.post("/intents", json={
        "name": INTENT, "description": "gift wrapping for an order", "responses": RESPONSES,
        "examples": [{"text": text, "language": "en"} for text in ENGLISH]})
    assert created.status_code == 201, created.text
    spanish = [{"text": text, "language": "es"} for text in SPANISH]
    stored = api.post("/examples", json={"intent": INTENT, "examples": spanish})
    assert stored.json() == {"stored": len(SPANISH)}
    assert f"- {SPANISH[0]}" in api.get("/training-data").text

    # Train (one job at a time), with progress and a log
    job = api.post("/train", json={"force": True}).json()
    assert api.post("/train").status_code == 409
    trained = wait_for_job(api, job["id"])
    assert "rasa data validate" in trained["log"] and trained["result"]["metrics"]["accuracy"] > 0.7
    versions = api.get("/models").json()
    candidate = next(v for v in versions if v["id"] == trained["result"]["version"])
    previous = next(v for v in versions if v["active"])
    assert not candidate["active"] and candidate["examples"] >= len(ENGLISH) + len(SPANISH)
    assert candidate["trained_by"] == "e2e-admin" and candidate["training_seconds"] > 0

    # Evaluate against the active model: HTML and JSON reports with the comparison
    evaluation = wait_for_job(api, api.post(f"/models/{candidate['id']}/evaluate").json()["id"])
    report = api.get(f"/jobs/{evaluation['id']}/report", params={"format": "json"}).json()
    assert report["comparison"]["active_model"] == f"version {previous['id']}"
    assert set(report["metrics"]["per_language"]) >= {"en", "es", "ar", "zh"}
    assert "confusion matrix" in api.get(f"/jobs/{evaluation['id']}/report").text

    # Activate (the gate may ask for an explicit override if the candidate scores lower on the held-out set)
    activated = api.post(f"/models/{candidate['id']}/activate", json={"override": False})
    if activated.status_code == 409:
        assert activated.json()["error"]["code"] == "activation_refused"
        activated = api.post(f"/models/{candidate['id']}/activate", json={"override": True})
    assert activated.status_code == 200, activated.text
    assert [v["id"] for v in api.get("/models").json() if v["active"]] == [candidate["id"]]

    # The new intent, in languages no example was written in; its response in the shopper's language
    assert parse(running_stack, GERMAN)["intent"]["name"] == INTENT
    assert parse(running_stack, FRENCH)["intent"]["name"] == INTENT
    assert RESPONSES["es"] in running_stack.say("admin-e2e-spanish", "¿me pueden envolver el pedido para regalo?")
    # The conversation started before the switch carries on where it was
    running_stack.say(sender, order.number)
    assert order.shipments[-1].tracking_number in running_stack.say(sender, order.customer.email)

    # Roll back to the model that served before
    rolled = api.post("/models/rollback")
    assert rolled.status_code == 200 and rolled.json()["id"] == previous["id"]
    assert parse(running_stack, GERMAN)["intent"]["name"] != INTENT
