/* The shop assistant's web widget. A shop embeds it with one tag:
 *   <script src="https://GATEWAY/widget.js" async
 *           data-customer-token="SIGNED TOKEN (logged-in shoppers only)" data-language="ar" data-open="true"></script>
 * The first message creates the conversation (POST /api/v1/chat), which answers with the conversation's secret;
 * from then on the widget talks over a WebSocket (/api/v1/ws), reconnects with backoff, and falls back to
 * POST /api/v1/chat + GET /api/v1/conversations/{id}/messages when the socket cannot connect. The conversation
 * (a random 128-bit id and its secret in localStorage) survives page reloads. Styles live in a shadow root: the shop's CSS and
 * the widget's do not touch each other. */
(() => {
  "use strict";
  if (window.__shopbotWidget) return;
  window.__shopbotWidget = true;

  const CONFIG = __SHOPBOT_WIDGET_CONFIG__;
  const script = document.currentScript;
  const gateway = new URL(script.src, location.href);
  const socketUrl = (gateway.protocol === "https:" ? "wss:" : "ws:") + "//" + gateway.host + "/api/v1/ws";
  const customerToken = script.dataset.customerToken || null;
  const STORE = "shopbot-widget:";
  const LANGUAGES = new Map(CONFIG.languages.map((l) => [l.code, l]));
  const POLL_MS = 3000;
  const PAGE = 200; // the messages endpoint returns at most this many at once

  const storage = {
    get(key) { try { return localStorage.getItem(STORE + key); } catch (e) { return null; } },
    set(key, value) { try { localStorage.setItem(STORE + key, value); } catch (e) { /* private mode */ } },
    remove(key) { try { localStorage.removeItem(STORE + key); } catch (e) { /* private mode */ } },
  };

  function newSenderId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return "w-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  const state = {
    senderId: /^w-[0-9a-f]{32}$/.test(storage.get("sender") || "") ? storage.get("sender") : null,
    token: storage.get("token"),
    pinned: storage.get("language") || (LANGUAGES.has(script.dataset.language) ? script.dataset.language : ""),
    language: "en",
    cursor: 0,
    seen: new Set(),
    person: false,
    socket: null,
    retries: 0,
    pollTimer: null,
    started: false,
    waiting: false,
    restored: false,
  };
  state.language = state.pinned || browserLanguage();

  function browserLanguage() {
    const code = (navigator.language || "en").slice(0, 2).toLowerCase();
    return LANGUAGES.has(code) ? code : "en";
  }
  const words = () => CONFIG.words[state.language] || CONFIG.words.en;
  const isRtl = (code) => Boolean(LANGUAGES.get(code) && LANGUAGES.get(code).rtl);

  // ---- the elements -------------------------------------------------------------------------------------
  const host = document.createElement("div");
  host.id = "shopbot-widget";
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
<style>
  :host { all: initial; }
  * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Arabic", sans-serif; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 60px; height: 60px;
    border-radius: 50%; border: 0; background: #1f6f5c; color: #fff; cursor: pointer;
    box-shadow: 0 6px 20px rgba(0,0,0,.25); display: grid; place-items: center; }
  .launcher svg { width: 28px; height: 28px; }
  .launcher:focus-visible, button:focus-visible, select:focus-visible, .log:focus-visible {
    outline: 3px solid #f2a93b; outline-offset: 2px; }
  form input:focus { outline: none; border-color: #1f6f5c; box-shadow: 0 0 0 2px rgba(31,111,92,.25); }
  .launcher .dot { position: absolute; top: 6px; right: 6px; width: 14px; height: 14px; border-radius: 50%;
    background: #e5484d; border: 2px solid #fff; }
  .panel { position: fixed; right: 20px; bottom: 92px; z-index: 2147483000; width: min(380px, calc(100vw - 24px));
    height: min(600px, calc(100vh - 120px)); background: #fff; color: #1c2024; border-radius: 16px;
    box-shadow: 0 12px 40px rgba(0,0,0,.22); display: flex; flex-direction: column; overflow: hidden; font-size: 15px; }
  .panel[hidden] { display: none; }
  header { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: #1f6f5c; color: #fff; }
  header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; }
  header select { max-width: 9.5em; padding: 4px 6px; border-radius: 8px; border: 1px solid rgba(255,255,255,.5);
    background: #185a4a; color: #fff; font-size: 13px; }
  header .close { border: 0; background: transparent; color: #fff; font-size: 22px; line-height: 1; cursor: pointer;
    width: 32px; height: 32px; border-radius: 8px; }
  .banner { padding: 8px 14px; background: #fff4d6; color: #5c4300; font-size: 13px; border-bottom: 1px solid #f0dfa8; }
  .banner[hidden], .notice[hidden], .typing[hidden] { display: none; }
  .log { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 8px; background: #f7f8f8; }
  .msg { max-width: 85%; padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; line-height: 1.4;
    overflow-wrap: anywhere; }
  .msg.shopper { align-self: flex-end; background: #1f6f5c; color: #fff; border-end-end-radius: 4px; }
  .msg.shopper.pending { opacity: .7; }
  .msg.bot { align-self: flex-start; background: #fff; border: 1px solid #e3e6e8; border-end-start-radius: 4px; }
  .msg.agent { align-self: flex-start; background: #e8f0fe; border: 1px solid #c9dafc; border-end-start-radius: 4px; }
  .msg.error { align-self: center; background: transparent; color: #b42318; font-size: 13px; text-align: center; }
  .quick { display: flex; flex-wrap: wrap; gap: 6px; align-self: flex-start; }
  .quick button { border: 1px solid #1f6f5c; background: #fff; color: #1f6f5c; border-radius: 999px; padding: 6px 12px;
    font-size: 14px; cursor: pointer; }
  .quick button:hover { background: #e6f2ef; }
  .typing { align-self: flex-start; margin: 0 14px 8px; padding: 10px 12px; background: #fff; border: 1px solid #e3e6e8;
    border-radius: 14px; display: inline-flex; gap: 4px; width: fit-content; }
  .typing i { width: 7px; height: 7px; border-radius: 50%; background: #8a9399; animation: blink 1.2s infinite; }
  .typing i:nth-child(2) { animation-delay: .2s; } .typing i:nth-child(3) { animation-delay: .4s; }
  @keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
  .notice { padding: 6px 14px; font-size: 12px; color: #5b6168; background: #f1f3f4; }
  form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e3e6e8; background: #fff; }
  form input { flex: 1; min-width: 0; padding: 10px 12px; border: 1px solid #c7cdd1; border-radius: 10px; font-size: 15px; }
  form button { padding: 10px 14px; border: 0; border-radius: 10px; background: #1f6f5c; color: #fff; font-size: 15px;
    cursor: pointer; }
</style>
<button class="launcher" type="button" aria-expanded="false" aria-controls="shopbot-panel">
  <svg viewBox="0 0 24 24" aria-hidden="true" fill="currentColor"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>
  <span class="dot" hidden></span>
</button>
<section class="panel" id="shopbot-panel" role="dialog" aria-labelledby="shopbot-title" hidden>
  <header>
    <h2 id="shopbot-title"></h2>
    <label><span class="sr">Language</span><select id="shopbot-language"></select></label>
    <button class="close" type="button" aria-label="Close">×</button>
  </header>
  <div class="banner" role="status" hidden></div>
  <div class="log" id="shopbot-log" role="log" aria-live="polite" aria-labelledby="shopbot-title" tabindex="0"></div>
  <div class="typing" role="status" hidden><i></i><i></i><i></i><span class="sr"></span></div>
  <div class="notice" role="status" hidden></div>
  <form>
    <label for="shopbot-text" class="sr"></label>
    <input id="shopbot-text" autocomplete="off" required>
    <button type="submit" id="shopbot-send"></button>
  </form>
</section>`;
  const $ = (selector) => root.querySelector(selector);
  const launcher = $(".launcher"), panel = $(".panel"), log = $(".log"), input = $("#shopbot-text");
  const select = $("#shopbot-language"), banner = $(".banner"), typing = $(".typing"), notice = $(".notice");
  input.maxLength = CONFIG.maxChars;

  // ---- language and direction ---------------------------------------------------------------------------
  function fillLanguages() {
    select.replaceChildren(new Option(words().language_auto, ""),
      ...CONFIG.languages.map((l) => { const o = new Option(l.name, l.code); o.lang = l.code; return o; }));
    select.value = state.pinned;
  }

  function applyLanguage(code) {
    state.language = LANGUAGES.has(code) ? code : "en";
    const w = words();
    panel.lang = state.language;
    panel.dir = isRtl(state.language) ? "rtl" : "ltr";
    $("#shopbot-title").textContent = w.title;
    launcher.setAttribute("aria-label", w.title);
    input.placeholder = w.placeholder;
    $("label[for=shopbot-text]").textContent = w.placeholder;
    $("#shopbot-send").textContent = w.send;
    typing.querySelector(".sr").textContent = w.typing;
    banner.textContent = w.person;
    notice.textContent = w.reconnecting;
    select.options[0].text = w.language_auto;
  }

  select.addEventListener("change", () => {
    state.pinned = select.value;
    storage.set("language", state.pinned);
    if (state.pinned) applyLanguage(state.pinned);
  });

  // ---- the transcript -----------------------------------------------------------------------------------
  function bubble(text, role, language) {
    const div = document.createElement("div");
    div.className = "msg " + role;
    div.textContent = text;
    div.dir = "auto";
    if (language) div.lang = language;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function clearQuickReplies() {
    root.querySelectorAll(".quick").forEach((group) => group.remove());
  }

  function showQuickReplies(buttons) {
    const group = document.createElement("div");
    group.className = "quick";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", buttons.map((b) => b.title).join(" / "));
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.dir = "auto";
      button.addEventListener("click", () => { send(b.payload, b.title); input.focus(); });
      group.appendChild(button);
    }
    log.appendChild(group);
    log.scrollTop = log.scrollHeight;
  }

  function setPerson(on) {
    state.person = on;
    banner.hidden = !on;
    if (on) setTyping(false);
  }

  function setTyping(on) {
    state.waiting = on;
    typing.hidden = !on || state.person;
    if (on) log.scrollTop = log.scrollHeight;
  }

  /** One stored message (from history, the socket or a poll), shown once. */
  function show(message) {
    if (state.seen.has(message.id)) return;
    state.seen.add(message.id);
    state.cursor = Math.max(state.cursor, message.id);
    if (message.role === "shopper") {
      const pending = Array.from(log.querySelectorAll(".msg.shopper.pending")).find((p) => p.textContent === message.text);
      if (pending) pending.classList.remove("pending");
      else { clearQuickReplies(); bubble(message.text, "shopper", message.language); }
      return;
    }
    clearQuickReplies();
    bubble(message.text, message.role === "agent" ? "agent" : "bot", message.language);
    if (message.handoff === "opened" || message.role === "agent") setPerson(true);
    if (message.handoff === "closed") setPerson(false);
    if (message.buttons && message.buttons.length) showQuickReplies(message.buttons);
    if (!state.pinned && message.language) applyLanguage(message.language);
    if (panel.hidden && state.restored) $(".dot").hidden = false;
  }

  function showError(text) {
    setTyping(false);
    bubble(text, "error");
  }

  /** What a turn's reply says about the conversation (its messages come as stored messages). */
  function applyReply(reply) {
    setTyping(false);
    if (reply.handoff) setPerson(true);
    if (!state.pinned && reply.language) applyLanguage(reply.language);
  }

  // ---- talking to the gateway ---------------------------------------------------------------------------
  const socketOpen = () => state.socket && state.socket.readyState === WebSocket.OPEN;
  const tokenHeader = () => (state.token ? { "X-Conversation-Token": state.token } : {});

  /** The gateway does not know this conversation (or its secret): the next message starts a new one. */
  function forgetConversation() {
    state.senderId = null;
    state.token = null;
    state.cursor = 0;
    storage.remove("sender");
    storage.remove("token");
    stopPolling();
    if (state.socket) { const socket = state.socket; state.socket = null; socket.onclose = null; socket.close(); }
  }

  /** Remember a conversation the gateway just created, and listen to it from now on. */
  function adoptConversation(token) {
    state.token = token;
    storage.set("sender", state.senderId);
    storage.set("token", token);
    connect();
  }

  async function fetchNewMessages() {
    while (state.token) {
      const url = `${gateway.origin}/api/v1/conversations/${state.senderId}/messages?after=${state.cursor}`;
      const response = await fetch(url, { headers: tokenHeader() });
      if (response.status === 404) { forgetConversation(); return; }
      if (!response.ok) throw new Error("messages: HTTP " + response.status);
      const messages = await response.json();
      messages.forEach(show);
      if (messages.length < PAGE) return;
    }
  }

  async function poll() {
    try {
      await fetchNewMessages();
      notice.hidden = true;
    } catch (e) {
      notice.hidden = false;
    }
  }

  function startPolling() {
    if (!state.pollTimer) state.pollTimer = setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    clearInterval(state.pollTimer);
    state.pollTimer = null;
  }

  function connect() {
    if (!state.token) return;
    const query = new URLSearchParams({ sender_id: state.senderId, token: state.token, after: state.cursor });
    const socket = new WebSocket(`${socketUrl}?${query}`);
    socket.onopen = () => {
      state.socket = socket;
      state.retries = 0;
      notice.hidden = true;
      stopPolling();
    };
    socket.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "message") show(frame.message);
      else if (frame.type === "reply") applyReply(frame);
      else if (frame.type === "error" && frame.error.code === "conversation_not_found") forgetConversation();
      else if (frame.type === "error") showError(frame.error.message);
    };
    socket.onclose = () => {
      if (state.socket === socket) state.socket = null;
      if (!state.token) return;
      state.retries += 1;
      // The conversation goes on over HTTP while the socket is down; it keeps trying, backing off to 30 s.
      startPolling();
      poll();
      const delay = Math.min(30000, 1000 * 2 ** (state.retries - 1)) * (0.75 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  async function sendOverHttp(text, retried) {
    if (!state.senderId) state.senderId = newSenderId();
    try {
      const response = await fetch(`${gateway.origin}/api/v1/chat`, {
        method: "POST", headers: { "Content-Type": "application/json", ...tokenHeader() },
        body: JSON.stringify({ sender_id: state.senderId, text, language: state.pinned || null,
                               customer_token: customerToken }),
      });
      const body = await response.json();
      if (response.status === 404 && !retried) { forgetConversation(); return sendOverHttp(text, true); }
      if (!response.ok) { showError(body.error ? body.error.message : "Something went wrong."); return; }
      if (body.conversation_token) adoptConversation(body.conversation_token);
      await fetchNewMessages();
      applyReply(body);
    } catch (e) {
      notice.hidden = false;
      setTyping(false);
    }
  }

  function send(text, shown) {
    text = text.trim();
    if (!text) return;
    clearQuickReplies();
    bubble(shown || text, "shopper pending", state.language);
    setTyping(true);
    if (socketOpen()) {
      state.socket.send(JSON.stringify({ type: "message", text, language: state.pinned || null,
                                         customer_token: customerToken }));
    } else {
      sendOverHttp(text);
    }
  }

  $("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
  });

  // ---- opening and closing ------------------------------------------------------------------------------
  async function start() {
    if (state.started) return;
    state.started = true;
    if (state.senderId && state.token) {
      await poll(); // the conversation so far, then live updates from where it ends
      connect();
    } else {
      forgetConversation(); // nothing to restore: the first message creates the conversation
    }
    state.restored = true;
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    $(".dot").hidden = true;
    start();
    log.scrollTop = log.scrollHeight;
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  $(".close").addEventListener("click", close);
  panel.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });

  fillLanguages();
  applyLanguage(state.language);
  (document.body || document.documentElement).appendChild(host);
  // A shopper with a conversation gets its history and live replies (e.g. an agent's) without opening.
  if (state.senderId && state.token) start();
  if (script.dataset.open === "true") open();
})();
