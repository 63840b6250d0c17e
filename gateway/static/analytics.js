/* The admin console's Analytics tab: the report of /api/v1/admin/analytics as tables, the per-language chart
   drawn by the gateway (a PNG, no chart script), and the CSV export. Loaded before admin.js, which calls
   loadAnalytics() once signed in. */
"use strict";

const ANALYTICS = "/api/v1/admin/analytics";
const analyticsState = { chartUrl: null };
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const csatText = (c) => c.mean == null ? "—" : `${c.mean.toFixed(2)} (${c.count})`;
const duration = (s) => s == null ? "—" : s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min`
  : `${(s / 3600).toFixed(1)} h`;

function analyticsQuery() {
  const params = new URLSearchParams();
  if ($("an-since").value) params.set("since", $("an-since").value);
  if ($("an-until").value) params.set("until", $("an-until").value);
  return params.toString();
}

function figuresTable(rows, keyTitle) {
  return `<table><thead><tr><th scope="col">${esc(keyTitle)}</th><th scope="col" class="num">Conversations</th>
    <th scope="col" class="num">Automation</th><th scope="col" class="num">Handoff</th>
    <th scope="col" class="num">Fallback</th><th scope="col" class="num">CSAT (answers)</th></tr></thead><tbody>`
    + rows.map(([key, f]) => `<tr><th scope="row">${esc(key)}</th><td class="num">${f.conversations}</td>
      <td class="num">${pct(f.automation_rate)}</td><td class="num">${pct(f.handoff_rate)}</td>
      <td class="num">${pct(f.fallback_rate)}</td><td class="num">${csatText(f.csat)}</td></tr>`).join("")
    + "</tbody></table>";
}

async function loadChart(query) {
  const response = await apiFetch(`${ANALYTICS}/languages.png?${query}`);
  if (!response.ok) throw new Error(`the chart could not be drawn (${response.status})`);
  if (analyticsState.chartUrl) URL.revokeObjectURL(analyticsState.chartUrl);
  analyticsState.chartUrl = URL.createObjectURL(await response.blob());
  $("an-chart").src = analyticsState.chartUrl;
}

async function loadAnalytics() {
  const query = analyticsQuery();
  const report = await api(`${ANALYTICS}?${query}`);
  const t = report.totals;
  $("an-summary").textContent = `${report.since} to ${report.until}: ${t.conversations} conversations, `
    + `automation ${pct(t.automation_rate)}, handoff ${pct(t.handoff_rate)}, fallback ${pct(t.fallback_rate)}, `
    + `CSAT ${csatText(t.csat)}`;
  $("an-languages").innerHTML = figuresTable(Object.entries(report.languages), "Language");
  $("an-channels").innerHTML = figuresTable(Object.entries(report.channels), "Channel");
  $("an-days").innerHTML = figuresTable(report.days.map((d) => [d.date, d]), "Day");
  $("an-reasons").innerHTML = Object.entries(t.handoff_reasons).map(([reason, n]) =>
    `<li>${esc(reason)}: ${n}</li>`).join("") || "<li class=\"muted\">none</li>";
  $("an-intents").innerHTML = t.top_intents.map((i) => `<li>${esc(i.intent)}: ${i.count}</li>`).join("")
    || "<li class=\"muted\">none</li>";
  $("an-misunderstood").innerHTML = t.top_misunderstood.map((m) => `<li><span dir="auto">${esc(m.text)}</span>
    <span class="muted">(${esc(m.language)}${m.text_en ? `, “${esc(m.text_en)}”` : ""}) × ${m.count}</span></li>`).join("")
    || "<li class=\"muted\">none</li>";
  $("an-agents").innerHTML = `<table><thead><tr><th scope="col">Agent</th><th scope="col" class="num">Tickets</th>
    <th scope="col" class="num">Closed</th><th scope="col" class="num">First response</th>
    <th scope="col" class="num">Resolution</th><th scope="col" class="num">CSAT (answers)</th></tr></thead><tbody>`
    + report.agents.map((a) => `<tr><th scope="row">${esc(a.agent ?? "unassigned")}</th><td class="num">${a.tickets}</td>
      <td class="num">${a.closed}</td><td class="num">${duration(a.first_response_seconds)}</td>
      <td class="num">${duration(a.resolution_seconds)}</td><td class="num">${csatText(a.csat)}</td></tr>`).join("")
    + "</tbody></table>";
  await loadChart(query);
}

async function downloadAnalyticsCsv() {
  const response = await apiFetch(`${ANALYTICS}/export.csv?${analyticsQuery()}`);
  if (!response.ok) throw new Error(`the export failed (${response.status})`);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = "shopbot-analytics.csv";
  link.click();
  URL.revokeObjectURL(link.href);
}
