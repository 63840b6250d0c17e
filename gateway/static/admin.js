/* The admin console (/admin): misunderstood inbox, training data, jobs and model versions. */
"use strict";

const ADMIN = "/api/v1/admin";
const LANGUAGES = ["en", "es", "pt", "fr", "de", "it", "ar", "tr", "ru", "zh", "ja", "ko", "id", "vi", "th", "ms"];
const NEW_INTENT = "__new__";
const UNFINISHED = ["queued", "running"];
const state = { intents: [], selectedIntent: "", expanded: new Set(), pendingReview: [], jobs: new Map(),
                pollTimer: null, reportUrl: null };
const post = (path, body) => api(ADMIN + path, {method: "POST", body: JSON.stringify(body ?? {})});
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const when = (iso) => iso ? new Date(iso).toLocaleString(undefined, {dateStyle: "medium", timeStyle: "short"}) : "—";
const percent = (x) => x == null ? "—" : `${(x * 100).toFixed(1)}%`;
const lines = (text) => text.split("\n").map((l) => l.trim()).filter(Boolean);

function notify(message, isError = false) {
  $("notice").innerHTML = `<p class="${isError ? "error" : ""}" role="${isError ? "alert" : "status"}">${esc(message)}</p>`;
}

async function attempt(action) {
  try { await action(); } catch (error) { notify(error.message, true); }
}

// ---- Tabs (WAI-ARIA tabs pattern: arrow keys, Home and End move between tabs) ----
const tabs = [...document.querySelectorAll('[role="tab"]')];
function selectTab(tab, focus = true) {
  for (const t of tabs) {
    const selected = t === tab;
    t.setAttribute("aria-selected", String(selected)); t.tabIndex = selected ? 0 : -1;
    $(t.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) tab.focus();
  history.replaceState(null, "", "#" + tab.id.slice(4));
}
tabs.forEach((tab, i) => {
  tab.onclick = () => selectTab(tab);
  tab.onkeydown = (event) => {
    const next = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1}[event.key];
    if (next === undefined) return;
    event.preventDefault();
    selectTab(tabs[(next + tabs.length) % tabs.length]);
  };
});

// ---- Dialogs ----
function confirmDialog({title, message, confirm, danger = false}) {
  $("confirm-title").textContent = title; $("confirm-message").textContent = message;
  $("confirm-ok").textContent = confirm; $("confirm-ok").className = danger ? "danger" : "";
  const dialog = $("confirm-dialog");
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    $("confirm-ok").onclick = () => dialog.close("ok");
    $("confirm-cancel").onclick = () => dialog.close("");
    dialog.onclose = () => resolve(dialog.returnValue === "ok");
  });
}

// ---- Intents (shared by the inbox, the examples form and the intent dialog) ----
async function loadIntents() {
  state.intents = await api(ADMIN + "/intents");
  $("intents-table").tBodies[0].innerHTML = state.intents.map((i) => `
    <tr class="${i.name === state.selectedIntent ? "selected" : ""}">
      <td><button class="link intent-link" data-intent="${esc(i.name)}"
        aria-pressed="${i.name === state.selectedIntent}">${esc(i.name)}</button></td>
      <td>${i.created_by_admin ? '<span class="badge admin nowrap">admin</span>' : '<span class="muted">shipped</span>'}</td>
      <td class="num">${esc(i.examples_added)}</td></tr>`).join("");
  const chosen = $("ex-intent").value || state.selectedIntent;
  $("ex-intent").innerHTML = '<option value="">Choose…</option>' + state.intents.map((i) =>
    `<option ${i.name === chosen ? "selected" : ""}>${esc(i.name)}</option>`).join("");
  document.querySelectorAll("select.intent-choice").forEach(fillIntentChoice);
}

function fillIntentChoice(select) {
  const value = select.value;
  select.innerHTML = '<option value="">Intent…</option>' + state.intents.map((i) => `<option>${esc(i.name)}</option>`).join("")
    + `<option value="${NEW_INTENT}">Create new intent…</option>`;
  select.value = value === NEW_INTENT ? "" : value;
}

function openIntentDialog(messageIds = []) {
  state.pendingReview = messageIds;
  $("intent-form").reset(); $("in-translations").innerHTML = ""; $("intent-problem").textContent = "";
  $("intent-pending").hidden = !messageIds.length;
  $("intent-pending").textContent = `The ${plural(messageIds.length, "inbox message")} you chose will be assigned to the new intent.`;
  $("intent-dialog").showModal();
  $("in-name").focus();
}

let translationRows = 0;
$("add-translation").onclick = () => {
  const n = ++translationRows, used = new Set([...document.querySelectorAll(".translation select")].map((s) => s.value));
  $("in-translations").insertAdjacentHTML("beforeend", `<div class="translation">
    <label class="sr-only" for="tr-lang-${n}">Language of translation ${n}</label>
    <select id="tr-lang-${n}">${LANGUAGES.filter((l) => l !== "en").map((l) =>
      `<option ${l === LANGUAGES.find((x) => x !== "en" && !used.has(x)) ? "selected" : ""}>${l}</option>`).join("")}</select>
    <label class="sr-only" for="tr-text-${n}">Response in that language</label>
    <textarea id="tr-text-${n}" dir="auto" required></textarea>
    <button type="button" class="secondary remove-translation" aria-label="Remove translation ${n}">Remove</button></div>`);
  $(`tr-text-${n}`).focus();
};
$("in-translations").onclick = (event) => {
  if (event.target.classList.contains("remove-translation")) event.target.closest(".translation").remove();
};
$("intent-cancel").onclick = () => $("intent-dialog").close();
$("intent-form").onsubmit = (event) => {
  event.preventDefault();
  const name = $("in-name").value.trim(), language = $("in-examples-language").value;
  const responses = {en: $("in-response-en").value.trim()};
  for (const row of document.querySelectorAll(".translation")) {
    responses[row.querySelector("select").value] = row.querySelector("textarea").value.trim();
  }
  const examples = lines($("in-examples").value).map((text) => ({text, language}));
  $("intent-save").disabled = true;
  (async () => {
    try {
      await post("/intents", {name, description: $("in-description").value.trim(), responses, examples});
      let message = `Intent ${name} created with its response in ${Object.keys(responses).join(", ")}`;
      if (state.pendingReview.length) {
        const r = await post("/inbox/review", {message_ids: state.pendingReview, decision: "intent", intent: name});
        message += `; ${plural(r.reviewed, "inbox message")} assigned to it`;
        state.pendingReview = [];
      }
      $("intent-dialog").close();
      notify(message + ". Train a new model to use it.");
      state.selectedIntent = name;
      await Promise.all([loadIntents(), loadInbox(), loadExamples()]);
    } catch (error) {
      $("intent-problem").textContent = error.message;
    } finally { $("intent-save").disabled = false; }
  })();
};
$("new-intent").onclick = () => openIntentDialog();

// ---- Inbox ----
function badges(counts, kind) {
  return Object.entries(counts).map(([key, n]) =>
    `<span class="badge ${kind === "reason" ? esc(key) : ""}">${esc(key.replace("_", " "))}${n > 1 ? ` ×${n}` : ""}</span>`).join(" ");
}

function decisionBar(ids, what) {
  return `<div class="decide" role="group" aria-label="Review ${esc(what)}" data-ids="${ids.join(",")}">
    <select class="intent-choice" aria-label="Intent for ${esc(what)}"></select>
    <button class="assign">Assign</button>
    <button class="secondary out-of-scope">Out of scope</button>
    <button class="secondary ignore">Ignore</button></div>`;
}

function groupHtml(group) {
  const key = group.items[0].message_id, ids = group.items.map((m) => m.message_id), open = state.expanded.has(key);
  return `<article class="group" data-key="${key}" aria-labelledby="group-${key}-title">
    <div class="group-head">
      <button class="disclose" id="group-${key}-title" aria-expanded="${open}" aria-controls="group-${key}-items">
        <span class="chevron" aria-hidden="true">▶</span><span dir="auto">${esc(group.example)}</span></button>
      <span class="badge">${plural(group.count, "message")}</span> ${badges(group.languages, "language")}
      ${badges(group.reasons, "reason")}
    </div>
    ${decisionBar(ids, `all ${plural(group.count, "message")} of this group`)}
    <div class="items" id="group-${key}-items" ${open ? "" : "hidden"}><table>
      <caption class="sr-only">Messages of the group</caption>
      <thead><tr><th scope="col">Message</th><th scope="col">Language</th><th scope="col">English</th>
        <th scope="col">Predicted intent</th><th scope="col">Reasons</th><th scope="col">When</th><th scope="col">Review</th></tr></thead>
      <tbody>${group.items.map((m) => `<tr>
        <td dir="auto">${esc(m.text)}</td><td><span class="badge">${esc(m.language)}</span></td>
        <td>${m.text_en ? esc(m.text_en) : '<span class="muted">—</span>'}</td>
        <td>${esc(m.intent ?? "—")} <span class="muted nowrap">${m.confidence == null ? "" : `${Math.round(m.confidence * 100)}%`}</span></td>
        <td>${m.reasons.map((r) => `<span class="badge ${esc(r)}">${esc(r.replace("_", " "))}</span>`).join(" ")}</td>
        <td class="muted">${when(m.created_at)}</td>
        <td>${decisionBar([m.message_id], `message ${m.message_id}`)}</td></tr>`).join("")}</tbody></table></div>
  </article>`;
}

async function loadInbox() {
  const inbox = await api(ADMIN + "/inbox");
  $("inbox-count").textContent = inbox.messages || "";
  $("inbox-summary").textContent = `${plural(inbox.messages, "message")} in ${plural(inbox.groups.length, "group")}`;
  $("groups").innerHTML = inbox.groups.map(groupHtml).join("")
    || '<p class="muted">Nothing to review: every misunderstood message has been reviewed.</p>';
  document.querySelectorAll("#groups select.intent-choice").forEach(fillIntentChoice);
}

async function review(ids, decision, intent) {
  const r = await post("/inbox/review", {message_ids: ids, decision, intent: intent || null});
  const what = {intent: `assigned to ${intent}`, out_of_scope: "marked out of scope", ignored: "ignored"}[decision];
  notify(`${plural(r.reviewed, "message")} ${what}.`);
  await Promise.all([loadInbox(), loadIntents()]);
}

$("groups").onclick = (event) => {
  const disclose = event.target.closest(".disclose");
  if (disclose) {
    const key = Number(disclose.closest(".group").dataset.key), open = disclose.getAttribute("aria-expanded") !== "true";
    disclose.setAttribute("aria-expanded", String(open));
    $(disclose.getAttribute("aria-controls")).hidden = !open;
    if (open) state.expanded.add(key); else state.expanded.delete(key);
    return;
  }
  const button = event.target.closest(".decide button");
  if (!button) return;
  const bar = button.closest(".decide"), ids = bar.dataset.ids.split(",").map(Number);
  const select = bar.querySelector("select");
  if (button.classList.contains("assign")) {
    if (!select.value) { notify("Choose an intent to assign first.", true); select.focus(); return; }
    attempt(() => review(ids, "intent", select.value));
  } else {
    attempt(() => review(ids, button.classList.contains("ignore") ? "ignored" : "out_of_scope"));
  }
};
$("groups").onchange = (event) => {
  if (event.target.value !== NEW_INTENT) return;
  event.target.value = "";
  openIntentDialog(event.target.closest(".decide").dataset.ids.split(",").map(Number));
};
$("inbox-refresh").onclick = () => attempt(loadInbox);

// ---- Training data ----
async function loadExamples() {
  const intent = state.selectedIntent;
  const rows = await api(ADMIN + "/examples" + (intent ? `?intent=${encodeURIComponent(intent)}` : ""));
  $("examples-title").innerHTML = intent ? `Examples added for <code>${esc(intent)}</code>` : "Examples added by admins";
  $("examples-all").hidden = !intent;
  $("examples").innerHTML = rows.length ? `<table><caption class="sr-only">Examples</caption>
    <thead><tr>${intent ? "" : '<th scope="col">Intent</th>'}<th scope="col">Example</th><th scope="col">Language</th>
      <th scope="col">English</th><th scope="col">Source</th><th scope="col">Added</th></tr></thead>
    <tbody>${rows.map((e) => `<tr>${intent ? "" : `<td><code>${esc(e.intent)}</code></td>`}<td dir="auto">${esc(e.text)}</td>
      <td><span class="badge">${esc(e.language)}</span></td><td>${esc(e.text_en ?? "")}</td>
      <td>${e.message_id ? "inbox" : "added"} by ${esc(e.created_by)}</td><td class="muted">${when(e.created_at)}</td></tr>`).join("")}
    </tbody></table>` : `<p class="muted">No examples added${intent ? " for this intent" : ""} yet.</p>`;
}

function showIntent(name) {
  state.selectedIntent = name;
  if (name) $("ex-intent").value = name;
  return Promise.all([loadIntents(), loadExamples()]).then(() => {
    const row = document.querySelector("#intents-table tr.selected");
    if (row) row.scrollIntoView({block: "nearest"});
  });
}
$("intents-table").onclick = (event) => {
  const link = event.target.closest(".intent-link");
  if (link) attempt(() => showIntent(link.dataset.intent));
};
$("examples-all").onclick = () => attempt(() => showIntent(""));

$("examples-form").onsubmit = (event) => {
  event.preventDefault();
  const texts = lines($("ex-texts").value), english = $("ex-texts-en").value.split("\n").map((l) => l.trim());
  const language = $("ex-language").value, intent = $("ex-intent").value;
  $("ex-problem").textContent = ""; $("ex-result").textContent = "";
  attempt(async () => {
    try {
      const r = await post("/examples", {intent, examples: texts.map((text, i) =>
        ({text, language, ...(english[i] ? {text_en: english[i]} : {})}))});
      $("ex-result").innerHTML = `<span class="ok">${plural(r.stored, "example")} stored for ${esc(intent)}.</span>`;
      $("ex-texts").value = ""; $("ex-texts-en").value = "";
      await showIntent(intent);
    } catch (error) { $("ex-problem").textContent = error.message; }
  });
};

$("import-btn").onclick = () => attempt(async () => {
  const file = $("import-file").files[0];
  $("import-problem").textContent = ""; $("import-result").textContent = "";
  if (!file) { $("import-problem").textContent = "Choose a .yml file first."; return; }
  try {
    const r = await api(ADMIN + "/examples/import", {method: "POST", body: await file.text(),
                                                     headers: {"Content-Type": "application/x-yaml"}});
    $("import-result").innerHTML = `<span class="ok">${plural(r.stored, "example")} imported from ${esc(file.name)}.</span>`;
    await Promise.all([loadIntents(), loadExamples()]);
  } catch (error) {
    $("import-problem").textContent = `${file.name} was not imported: ${error.message}`;
  }
});

// ---- Jobs ----
function jobTitle(job) { return `#${job.id} ${job.kind === "train" ? "Training" : "Evaluation"}`; }

function jobResult(job) {
  const r = job.result;
  if (!r) return "";
  const m = r.metrics ? ` — accuracy ${percent(r.metrics.accuracy)}, macro-F1 ${percent(r.metrics.macro_f1)}` : "";
  if (job.kind === "train") return `Model version ${esc(r.version)}${r.training_seconds == null ? " (already trained for this data)" : ` trained in ${esc(r.training_seconds)} s`}${m}`;
  return `Evaluated${m}`;
}

function renderJob(job) {
  let card = document.querySelector(`.job[data-id="${job.id}"]`);
  if (!card) {
    card = document.createElement("article");
    card.className = "job"; card.dataset.id = job.id; card.setAttribute("role", "listitem");
    card.setAttribute("aria-labelledby", `job-${job.id}-title`);
    card.innerHTML = `<div class="job-head"></div>
      <div class="progress"><div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
        aria-labelledby="job-${job.id}-title"><div></div></div><span class="pct num"></span><span class="stage muted"></span></div>
      <p class="problem job-error"></p><div class="result"></div>
      <details><summary>Log</summary><pre tabindex="0" aria-label="Log of job ${job.id}">Loading…</pre></details>`;
    card.querySelector("details").ontoggle = (event) => { if (event.target.open) attempt(() => refreshJob(job.id)); };
    const newer = [...$("jobs").children].find((c) => Number(c.dataset.id) < job.id);
    $("jobs").insertBefore(card, newer || null);
  }
  const pct = Math.round(job.progress * 100), report = job.kind === "evaluate" && job.status === "succeeded";
  card.className = `job ${job.status}`;
  card.querySelector(".job-head").innerHTML = `<h3 id="job-${job.id}-title">${jobTitle(job)}</h3>
    <span class="badge ${esc(job.status)}">${esc(job.status)}</span>
    <span class="muted">requested by ${esc(job.requested_by)} · ${when(job.created_at)}${job.finished_at && job.started_at
      ? ` · took ${Math.round((new Date(job.finished_at) - new Date(job.started_at)) / 1000)} s` : ""}</span>
    ${report ? `<button class="secondary report" data-id="${job.id}">View report</button>` : ""}`;
  const bar = card.querySelector(".bar");
  bar.setAttribute("aria-valuenow", pct); bar.setAttribute("aria-valuetext", `${pct} %, ${job.stage}`);
  bar.firstElementChild.style.width = pct + "%";
  card.querySelector(".pct").textContent = pct + "%";
  card.querySelector(".stage").textContent = job.stage;
  card.querySelector(".job-error").textContent = job.error ? `Failed: ${job.error}` : "";
  card.querySelector(".result").innerHTML = jobResult(job);
  if (job.log !== undefined) {
    const pre = card.querySelector("pre"), atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    const tail = job.log.trimEnd().split("\n").slice(-80).join("\n") || "(empty)";
    if (pre.textContent !== tail) { pre.textContent = tail; if (atEnd) pre.scrollTop = pre.scrollHeight; }
  }
}

async function refreshJob(id) {
  const job = await api(`${ADMIN}/jobs/${id}`);
  state.jobs.set(id, job); renderJob(job);
  return job;
}

async function loadJobs() {
  const jobs = await api(ADMIN + "/jobs");
  if (!jobs.length) $("jobs").innerHTML = '<p class="muted" id="no-jobs">No jobs yet.</p>';
  else if ($("no-jobs")) $("no-jobs").remove();
  let finishedNow = false;
  for (const job of jobs) {
    const before = state.jobs.get(job.id);
    if (before && UNFINISHED.includes(before.status) && !UNFINISHED.includes(job.status)) finishedNow = true;
    state.jobs.set(job.id, job);
    renderJob(job);
  }
  const running = jobs.filter((j) => UNFINISHED.includes(j.status));
  await Promise.all(running.map((j) => refreshJob(j.id)));
  $("jobs-count").textContent = running.length || "";
  if (finishedNow) attempt(loadModels);
  clearTimeout(state.pollTimer);
  if (running.length) state.pollTimer = setTimeout(() => attempt(loadJobs), 1500);
}

$("train").onclick = () => attempt(async () => {
  $("train-message").textContent = "";
  try {
    const job = await post("/train", {force: $("train-force").checked});
    $("train-message").textContent = `Training job #${job.id} queued.`;
  } catch (error) {
    if (error.code !== "job_running") throw error;
    $("train-message").innerHTML = `<span class="error">${esc(error.message)}</span>`;
  }
  await loadJobs();
});

$("jobs").onclick = (event) => {
  const button = event.target.closest("button.report");
  if (button) attempt(() => showReport(Number(button.dataset.id)));
};

async function showReport(id) {
  const response = await apiFetch(`${ADMIN}/jobs/${id}/report`);
  if (!response.ok) throw new Error((await response.json()).error.message);
  if (state.reportUrl) URL.revokeObjectURL(state.reportUrl);
  state.reportUrl = URL.createObjectURL(new Blob([await response.text()], {type: "text/html"}));
  $("report-title").textContent = `Evaluation report of job #${id}`;
  $("report-frame").src = state.reportUrl; $("report-open").href = state.reportUrl;
  $("report-dialog").showModal();
}
$("report-close").onclick = () => $("report-dialog").close();

// ---- Models ----
async function loadModels() {
  const models = await api(ADMIN + "/models");
  $("models-table").tBodies[0].innerHTML = models.map((v) => {
    const m = v.metrics || {};
    return `<tr data-id="${v.id}" class="${v.active ? "is-active" : ""}">
      <th scope="row">${esc(v.id)}</th><td><code>${esc(v.name)}</code></td><td>${esc(v.trained_by)}</td>
      <td>${when(v.created_at)}</td>
      <td class="num">${v.training_seconds == null ? "—" : `${Math.round(v.training_seconds)} s`}</td>
      <td class="num">${esc(v.examples ?? "—")}</td>
      <td class="num">${percent(m.accuracy)}</td><td class="num">${percent(m.macro_f1)}</td>
      <td class="num">${percent(m.out_of_scope_recall)}</td>
      <td>${v.active ? '<span class="badge active">active</span>' : ""}
        ${v.activated_at ? `<div class="muted">${v.active ? "since" : "was active"} ${when(v.activated_at)}
          by ${esc(v.activated_by)}</div>` : ""}${v.metrics ? "" : '<div class="muted">not evaluated</div>'}</td>
      <td class="actions"><button class="secondary evaluate" aria-label="Evaluate version ${v.id}">Evaluate</button>
        ${v.active ? "" : `<button class="activate" aria-label="Activate version ${v.id}">Activate</button>`}</td></tr>`;
  }).join("") || '<tr><td colspan="11" class="muted">No models registered yet.</td></tr>';
}

async function activate(id, button, override = false) {
  button.disabled = true; button.textContent = "Activating…";
  try {
    const version = await post(`/models/${id}/activate`, {override});
    notify(`Model version ${version.id} is now active${override ? " (override)" : ""}.`);
  } catch (error) {
    if (error.code !== "activation_refused" || override) throw error;
    const anyway = await confirmDialog({title: `Activation of version ${id} refused`, message: error.message,
                                        confirm: "Activate anyway", danger: true});
    if (anyway) return activate(id, button, true);
    notify(`Version ${id} was not activated.`);
  } finally { button.disabled = false; button.textContent = "Activate"; }
  await loadModels();
}

$("models-table").onclick = (event) => {
  const button = event.target.closest("button"), id = button && Number(button.closest("tr").dataset.id);
  if (!button) return;
  if (button.classList.contains("activate")) attempt(() => activate(id, button));
  if (button.classList.contains("evaluate")) attempt(async () => {
    const job = await post(`/models/${id}/evaluate`);
    notify(`Evaluation job #${job.id} queued for version ${id}; follow it under Jobs.`);
    await loadJobs();
  });
};

$("rollback").onclick = () => attempt(async () => {
  if (!await confirmDialog({title: "Roll back the model?", confirm: "Roll back",
                            message: "The model that was active before the current one will serve from now on."})) return;
  const version = await post("/models/rollback");
  notify(`Rolled back: model version ${version.id} is active again.`);
  await loadModels();
});

// ---- Start ----
document.querySelectorAll("select.languages").forEach((select) => {
  select.innerHTML = LANGUAGES.map((l) => `<option>${l}</option>`).join("");
});
startConsole({
  storageKey: "admin-token", probe: ADMIN + "/intents",
  hint: "Admins are created with shopbot users create NAME --role admin --password-stdin.",
  explain: (error) => error.status === 403
    ? "This account is an agent, not an admin: the admin console needs an admin account "
      + "(shopbot users create NAME --role admin --password-stdin)."
    : error.message,
  onReady: () => {
    selectTab(tabs.find((t) => t.id === "tab-" + location.hash.slice(1)) || tabs[0], false);
    attempt(async () => { await loadIntents(); await Promise.all([loadInbox(), loadExamples(), loadJobs(), loadModels(), loadCanned()]); });
    attempt(loadAnalytics);
    $("an-refresh").onclick = () => attempt(loadAnalytics);
    $("an-csv").onclick = () => attempt(downloadAnalyticsCsv);
  },
});
