/* Shared by the agent and admin consoles (/agent, /admin): password sign-in (a session cookie set by the
   gateway, HttpOnly, plus a CSRF token kept in memory and sent as X-CSRF-Token on state-changing calls; after a
   reload it comes back from /api/v1/auth/me), or an API token for scripts' owners; API calls and the API's
   {"error": {"code", "message"}}; escaping. */
"use strict";

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
const consoleSession = { csrf: null, token: null, user: null };
const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message); this.status = status; this.code = code; this.retryAfter = retryAfter;
  }
}

/** fetch() with the console's credentials: the API token if one is used, else the session cookie (and the CSRF
    token on state-changing requests). */
function apiFetch(path, options = {}) {
  const method = (options.method || "GET").toUpperCase(), headers = {};
  if (consoleSession.token) headers.Authorization = `Bearer ${consoleSession.token}`;
  else if (consoleSession.csrf && !SAFE_METHODS.includes(method)) headers["X-CSRF-Token"] = consoleSession.csrf;
  return fetch(path, {credentials: "same-origin", ...options, headers: {...headers, ...(options.headers || {})}});
}

/** Reads a server-sent event stream of the API until it ends or `signal` aborts it: `onData` gets each event's
 *  parsed `data:` JSON. Rejects when the stream cannot be opened or breaks. */
async function readEvents(path, signal, onData) {
  const response = await apiFetch(path, {signal});
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const reader = response.body.getReader(), decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, {stream: true});
    const events = buffer.split("\n\n"); buffer = events.pop();
    for (const event of events) if (event.startsWith("data: ")) onData(JSON.parse(event.slice(6)));
  }
}

/** JSON (or text, for other content types) of an API call; an ApiError with the API's code and message if it fails. */
async function api(path, options = {}) {
  const response = await apiFetch(path, {...options, headers: {"Content-Type": "application/json",
                                                               ...(options.headers || {})}});
  if (response.status === 204) return null;
  const json = (response.headers.get("content-type") || "").includes("json");
  const body = json ? await response.json() : await response.text();
  if (!response.ok) {
    const error = json && body.error;
    throw new ApiError(response.status, error ? error.code : `http_${response.status}`,
                       error ? error.message : response.statusText, Number(response.headers.get("Retry-After")));
  }
  return body;
}

const minutes = (seconds) => Math.max(1, Math.ceil(seconds / 60));
const inMinutes = (seconds) => `${minutes(seconds)} minute${minutes(seconds) === 1 ? "" : "s"}`;

/** What the sign-in form says about a failed sign-in. */
function signInMessage(error) {
  if (error.code === "invalid_credentials") return "Wrong user name or password.";
  if (error.code === "account_locked") {
    return `This account is locked after too many wrong passwords. Try again in ${inMinutes(error.retryAfter)}, `
      + "or ask an admin to set a new password.";
  }
  if (error.code === "rate_limited") return `Too many sign-in attempts. Try again in ${inMinutes(error.retryAfter)}.`;
  return error.message;
}

/** The sign-in form, rendered into #login in front of the app (#app). `probe` is an API path the account must
    be allowed to read; `explain` turns its failure into the message shown; `hint` says how to get an account. */
function startConsole({storageKey, probe, onReady, hint, explain = (error) => error.message}) {
  $("login").innerHTML = `
    <h2>Sign in</h2>
    <form id="login-form">
      <label for="username">User name</label>
      <input id="username" name="username" autocomplete="username" required>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button id="signin" type="submit">Sign in</button>
    </form>
    <p id="login-error" class="error" role="alert"></p>
    <p class="muted">${hint}</p>
    <details id="token-option"><summary>Use an API token instead</summary>
      <label for="token">API token</label>
      <input id="token" type="password" autocomplete="off">
      <button id="token-signin" type="button" class="secondary">Use token</button>
    </details>`;
  let ready = false;

  function showLogin(message = "") {
    $("login").hidden = false; $("app").hidden = true; $("signout").hidden = true; $("who").textContent = "";
    $("login-error").textContent = message;
  }

  async function enter() {
    try {
      await api(probe);
    } catch (error) {
      showLogin(explain(error));
      return;
    }
    $("login").hidden = true; $("app").hidden = false; $("signout").hidden = false;
    $("who").textContent = consoleSession.user ? `${consoleSession.user.name} (${consoleSession.user.role})` : "API token";
    if (!ready) { ready = true; onReady(); }
  }

  $("login-form").onsubmit = async (event) => {
    event.preventDefault();
    $("login-error").textContent = ""; consoleSession.token = null;
    try {
      const signedIn = await api("/api/v1/auth/login", {method: "POST", body: JSON.stringify(
        {username: $("username").value.trim(), password: $("password").value})});
      Object.assign(consoleSession, {csrf: signedIn.csrf_token, user: signedIn.user, token: null});
      $("password").value = "";
      await enter();
    } catch (error) {
      $("login-error").textContent = signInMessage(error);
      $("password").select();
    }
  };
  $("token-signin").onclick = () => {
    consoleSession.token = $("token").value.trim(); consoleSession.user = null;
    sessionStorage.setItem(storageKey, consoleSession.token);
    enter().then(() => { if (!$("login").hidden) sessionStorage.removeItem(storageKey); });
  };
  $("signout").onclick = async () => {
    if (consoleSession.token) sessionStorage.removeItem(storageKey);
    else await api("/api/v1/auth/logout", {method: "POST"}).catch(() => {});
    location.reload();
  };

  (async () => {
    consoleSession.token = sessionStorage.getItem(storageKey);
    if (consoleSession.token) { await enter(); return; }
    try {
      const me = await api("/api/v1/auth/me");
      Object.assign(consoleSession, {csrf: me.csrf_token, user: me.user});
      await enter();
    } catch (error) {
      showLogin();
      $("username").focus();
    }
  })();
}
