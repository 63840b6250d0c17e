/* Shared by the agent and admin consoles (/agent, /admin): the token the user signs in with (kept in
   sessionStorage), API calls with the bearer header and the API's {"error": {"code", "message"}}, escaping. */
"use strict";

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
const consoleSession = { token: null };

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

function authHeaders() { return {"Authorization": `Bearer ${consoleSession.token}`}; }

/** JSON (or text, for other content types) of an API call; an ApiError with the API's code and message if it fails. */
async function api(path, options = {}) {
  const response = await fetch(path, {...options, headers: {...authHeaders(), "Content-Type": "application/json",
                                                            ...(options.headers || {})}});
  const json = (response.headers.get("content-type") || "").includes("json");
  const body = json ? await response.json() : await response.text();
  if (!response.ok) {
    const error = json && body.error;
    throw new ApiError(response.status, error ? error.code : `http_${response.status}`,
                       error ? error.message : response.statusText);
  }
  return body;
}

/** The sign-in box (#login with #token, #signin, #login-error) in front of the app (#app): `probe` is an API path
    the token must be allowed to read; `explain` turns its failure into the message shown. */
function startConsole({storageKey, probe, onReady, explain = (error) => error.message}) {
  let ready = false;
  async function signIn() {
    try {
      await api(probe);
      $("login").hidden = true; $("app").hidden = false;
      if (!ready) { ready = true; onReady(); }
    } catch (error) {
      sessionStorage.removeItem(storageKey);
      $("login").hidden = false; $("app").hidden = true;
      $("login-error").textContent = consoleSession.token ? explain(error) : "";
      if (consoleSession.token) $("token").focus();
    }
  }
  $("signin").onclick = () => {
    consoleSession.token = $("token").value.trim(); sessionStorage.setItem(storageKey, consoleSession.token); signIn();
  };
  $("token").onkeydown = (event) => { if (event.key === "Enter") $("signin").click(); };
  if ($("signout")) $("signout").onclick = () => { sessionStorage.removeItem(storageKey); location.reload(); };
  consoleSession.token = sessionStorage.getItem(storageKey);
  signIn();
}
