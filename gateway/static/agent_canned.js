/* Canned replies in the agent console: the suggested reply for the shopper's last message, a picker that says how
   each reply reaches the shopper (written in their language, machine-translated, or English), preview and send. */
"use strict";

const DELIVERY = {
  written: (lang) => `written in ${lang}`,
  machine_translation: (lang) => `no ${lang} text: machine-translated (values protected)`,
  english: (lang) => `no ${lang} text or model: sent in English`,
};

async function setupCanned(ticket, rtl) {
  const id = encodeURIComponent(ticket.id), lang = ticket.language, dir = rtl ? 'dir="rtl"' : "";
  const panel = $("canned-panel");
  const [replies, suggestion] = await Promise.all([
    api(`/api/v1/canned-replies?ticket_id=${id}`), api(`/api/v1/tickets/${id}/suggested-reply`)]);
  const orders = ticket.package.purchase_history;
  panel.innerHTML = `
    <div id="suggestion">${suggestion ? `<strong>Suggested</strong>
      (${esc(suggestion.kind === "canned_reply" ? `canned reply “${suggestion.name}”` : "the assistant's answer")},
      ${esc(DELIVERY[suggestion.delivery](lang))}): <span ${dir}>${esc(suggestion.text)}</span>
      <div class="muted">${esc(suggestion.text_en || "")}</div>
      ${suggestion.kind === "canned_reply" ? '<button id="use-suggestion" class="secondary">Use it</button>' : ""}`
      : '<span class="muted">No suggestion for the last message.</span>'}</div>
    <div class="canned-row">
      <label for="canned">Canned reply</label>
      <select id="canned"><option value="">—</option>${replies.map((r) =>
        `<option value="${esc(r.name)}">${esc(r.name)} · ${esc(DELIVERY[r.delivery](lang))}</option>`).join("")}</select>
      <label for="canned-order">Order</label>
      <select id="canned-order"><option value="">the order in question</option>${orders.map((o) =>
        `<option>${esc(o.number)}</option>`).join("")}</select>
      <button id="canned-send" disabled>Send canned reply</button>
    </div>
    <div id="canned-preview" aria-live="polite"></div>`;
  const body = () => JSON.stringify({canned_reply: $("canned").value, order_id: $("canned-order").value || null});
  const preview = async () => {
    $("canned-send").disabled = !$("canned").value;
    if (!$("canned").value) { $("canned-preview").textContent = ""; return; }
    try {
      const r = await api(`/api/v1/tickets/${id}/preview`, {method: "POST", body: body()});
      $("canned-preview").innerHTML = `<div>Shopper sees (${esc(DELIVERY[r.delivery](lang))}):
        <span ${dir}>${esc(r.text)}</span></div><div class="muted">English: ${esc(r.text_en)}</div>`;
    } catch (error) {
      $("canned-send").disabled = true;
      $("canned-preview").innerHTML = `<span class="error">${esc(error.message)}</span>`;
    }
  };
  $("canned").onchange = preview;
  $("canned-order").onchange = preview;
  if ($("use-suggestion")) $("use-suggestion").onclick = () => { $("canned").value = suggestion.name; preview(); };
  $("canned-send").onclick = async () => {
    try { await api(`/api/v1/tickets/${id}/messages`, {method: "POST", body: body()});
          $("canned").value = ""; preview(); }
    catch (error) { $("canned-preview").innerHTML = `<span class="error">${esc(error.message)}</span>`; }
  };
}
