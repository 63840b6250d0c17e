/* The agent console (/agent): ticket queue, packaged history, live bilingual transcript, translated replies. */
"use strict";

const state = { ticket: null, lastId: 0, stream: null };

async function loadQueue() {
  const status = $("status-filter").value;
  const tickets = await api("/api/v1/tickets" + (status ? `?status=${status}` : ""));
  $("tickets").innerHTML = tickets.map((t) => `
    <div class="ticket ${state.ticket && state.ticket.id === t.id ? "selected" : ""}" role="listitem" tabindex="0"
         data-id="${esc(t.id)}">
      <div><strong>${esc(t.id)}</strong> <span class="badge ${esc(t.status)}">${esc(t.status)}</span>
           <span class="badge ${esc(t.priority)}">${esc(t.priority)}</span> <span class="badge">${esc(t.language)}</span></div>
      <div class="meta">${esc(t.summary)}</div>
    </div>`).join("") || '<p class="muted" style="padding:.8rem">No tickets.</p>';
  document.querySelectorAll(".ticket").forEach((el) => {
    el.onclick = () => openTicket(el.dataset.id);
    el.onkeydown = (event) => { if (event.key === "Enter") openTicket(el.dataset.id); };
  });
}

const VALUE_NAMES = {order_id: "order number", email: "e-mail", amount: "amount", language: "language"};

/* What the assistant understood from a shopper message, in English: intent, confidence, extracted values. */
function understood(m) {
  if (m.role !== "shopper" || !m.intent_name) return "";
  const values = (m.entities || []).map((e) => `${esc(VALUE_NAMES[e.entity] || e.entity)} ${esc(e.value)}`);
  const confidence = m.confidence == null ? "" : ` · ${Math.round(m.confidence * 100)}% sure`;
  return `<div class="understood">${esc(m.intent_name)}${confidence}${values.length ? " · " + values.join(", ") : ""}</div>`;
}

function line(m, rtl) {
  return `<div class="line"><span class="role">${esc(m.role)}</span>
    <span ${rtl ? 'dir="rtl"' : ""}>${esc(m.text)}</span>
    <span class="en">${m.text_en ? esc(m.text_en) : '<span class="muted">(no English yet)</span>'}${understood(m)}</span></div>`;
}

async function openTicket(id) {
  const t = await api(`/api/v1/tickets/${encodeURIComponent(id)}`);
  state.ticket = t; state.lastId = 0;
  const p = t.package, profile = p.profile, rtl = ["ar", "fa", "he", "ur"].includes(t.language);
  $("detail").innerHTML = `
    <section class="wide"><h2>${esc(t.id)} · ${esc(t.reason)} · ${esc(t.priority)} priority · ${esc(t.language)}</h2>
      <p>${esc(t.summary)}</p>
      <button id="claim" class="secondary">Claim</button> <button id="close" class="secondary">Close ticket</button></section>
    <section><h2>Shopper</h2>${profile ? `<table>
      <tr><th>Name</th><td>${esc(profile.name)}</td></tr><tr><th>E-mail</th><td>${esc(profile.email)}</td></tr>
      <tr><th>Country</th><td>${esc(profile.country)}</td></tr><tr><th>Language</th><td>${esc(profile.language)}</td></tr>
      <tr><th>Customer since</th><td>${esc(profile.customer_since.slice(0, 10))}</td></tr></table>`
      : '<p class="muted">Not identified (no customer token, no verified order).</p>'}</section>
    <section><h2>Earlier conversations</h2>${p.inquiry_history.earlier_conversations.map((c) =>
      `<div>${esc((c.started_at || "").slice(0, 10))} · ${esc(c.channel)} · ${esc(c.intents.join(", "))}</div>`).join("")
      || '<p class="muted">None.</p>'}</section>
    <section class="wide"><h2>Orders (${p.purchase_history.length})</h2><table>
      <tr><th>Order</th><th>Placed</th><th>Status</th><th>Total</th><th>Payment</th><th>Shipment</th><th>Items</th><th>Refunds</th></tr>
      ${p.purchase_history.map((o) => `<tr><td>${esc(o.number)}</td><td>${esc(o.placed_at.slice(0, 10))}</td>
        <td>${esc(o.status)}</td><td>${esc(o.total)} ${esc(o.currency)}</td>
        <td>${esc(o.payment_method)} (${esc(o.payment_status)})</td>
        <td>${o.shipment ? `${esc(o.shipment.carrier)} ${esc(o.shipment.tracking_number)} (${esc(o.shipment.status)})` : "—"}</td>
        <td>${o.items.map((i) => `${esc(i.quantity)}× ${esc(i.name)}`).join(", ")}</td>
        <td>${o.refunds.map((r) => `${esc(r.amount)} ${esc(r.status)}`).join(", ") || "—"}</td></tr>`).join("")}
    </table></section>
    <section class="wide"><h2>Conversation (original · English)</h2><div id="transcript"></div></section>
    <section class="wide"><h2>Reply in English</h2>
      <label for="reply" hidden>Reply</label><textarea id="reply" placeholder="Write in English; the shopper receives it in ${esc(t.language)}."></textarea>
      <div><button id="preview-btn" class="secondary">Preview translation</button> <button id="send">Send</button></div>
      <div id="preview" aria-live="polite"></div></section>
    <section class="wide"><h2>Canned replies</h2><div id="canned-panel"></div></section>`;
  for (const m of t.messages) { $("transcript").insertAdjacentHTML("beforeend", line(m, rtl)); state.lastId = m.id; }
  $("claim").onclick = async () => { await api(`/api/v1/tickets/${id}/claim`, {method: "POST"}); loadQueue(); };
  $("close").onclick = async () => { await api(`/api/v1/tickets/${id}/close`, {method: "POST"}); loadQueue(); };
  $("preview-btn").onclick = async () => {
    const r = await api(`/api/v1/tickets/${id}/preview`, {method: "POST", body: JSON.stringify({text: $("reply").value})});
    $("preview").innerHTML = r.translated
      ? `<div>Shopper sees: <span ${rtl ? 'dir="rtl"' : ""}>${esc(r.text)}</span></div><div class="muted">Back-translation: ${esc(r.back_translation)}</div>`
      : `<div class="muted">No translation model for ${esc(r.language)}: the shopper receives your English text.</div>`;
  };
  $("send").onclick = async () => {
    try { await api(`/api/v1/tickets/${id}/messages`, {method: "POST", body: JSON.stringify({text: $("reply").value})});
          $("reply").value = ""; $("preview").textContent = ""; }
    catch (error) { $("preview").innerHTML = `<span class="error">${esc(error.message)}</span>`; }
  };
  setupCanned(t, rtl);
  follow(id, rtl);
  loadQueue();
}

/* The ticket's new messages, pushed by the gateway as they are stored (a broken stream reconnects). */
async function follow(id, rtl) {
  if (state.stream) state.stream.abort();
  state.stream = new AbortController();
  try {
    await readEvents(`/api/v1/tickets/${encodeURIComponent(id)}/stream?after=${state.lastId}`, state.stream.signal,
      (m) => {
        if (m.id > state.lastId && state.ticket && state.ticket.id === id) {
          $("transcript").insertAdjacentHTML("beforeend", line(m, rtl)); state.lastId = m.id;
        }
      });
  } catch (error) { if (error.name !== "AbortError") setTimeout(() => follow(id, rtl), 2000); }
}

/* The queue, reloaded whenever the gateway says tickets were opened or changed (a broken stream reconnects). */
async function watchQueue() {
  try { await readEvents("/api/v1/tickets/stream", undefined, () => loadQueue()); }
  catch (error) { /* reconnected below */ }
  setTimeout(watchQueue, 2000);
}

$("status-filter").onchange = loadQueue;
startConsole({storageKey: "agent-token", probe: "/api/v1/tickets?status=open",
              hint: "An admin creates your account (shopbot users create NAME --role agent --password-stdin).",
              onReady: watchQueue});
