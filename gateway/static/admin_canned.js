/* Canned replies in the admin console: write a reply once with variables and its translations per language. */
"use strict";

const RTL = ["ar"];

function cannedField(lang, value) {
  return `<div class="field"><label for="cr-${lang}">${lang}${lang === "en" ? " (required)" : ""}</label>
    <textarea id="cr-${lang}" data-lang="${lang}" ${RTL.includes(lang) ? 'dir="rtl"' : ""}>${esc(value || "")}</textarea></div>`;
}

function editCanned(reply) {
  $("cr-name").value = reply ? reply.name : "";
  $("cr-intent").value = reply && reply.intent ? reply.intent : "";
  $("cr-texts").innerHTML = LANGUAGES.map((lang) => cannedField(lang, reply && reply.texts[lang])).join("");
}

async function loadCanned() {
  const replies = await api("/api/v1/canned-replies");
  $("canned-list").innerHTML = `<table><tr><th>Name</th><th>Intent</th><th>Languages</th><th>English</th><th></th></tr>
    ${replies.map((r) => `<tr><td>${esc(r.name)}</td><td>${esc(r.intent || "—")}</td>
      <td>${Object.keys(r.texts).length} of ${LANGUAGES.length}</td><td>${esc(r.texts.en)}</td>
      <td><button class="secondary" data-edit="${esc(r.name)}">Edit</button></td></tr>`).join("")}</table>`;
  document.querySelectorAll("[data-edit]").forEach((button) => {
    button.onclick = () => editCanned(replies.find((r) => r.name === button.dataset.edit));
  });
}

$("canned-form").onsubmit = (event) => {
  event.preventDefault();
  attempt(async () => {
    const texts = {};
    document.querySelectorAll("#cr-texts textarea").forEach((area) => {
      if (area.value.trim()) texts[area.dataset.lang] = area.value.trim();
    });
    const saved = await api(ADMIN + "/canned-replies", {method: "POST", body: JSON.stringify({
      name: $("cr-name").value.trim(), intent: $("cr-intent").value.trim() || null, texts})});
    notify(`Saved canned reply ${saved.name} (${Object.keys(saved.texts).length} languages).`);
    await loadCanned();
  });
};
$("cr-new").onclick = () => editCanned(null);
editCanned(null);
