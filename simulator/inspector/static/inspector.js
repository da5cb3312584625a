// posim inspector: a view over the control plane. No framework, no network beyond posim.
"use strict";
const params = new URLSearchParams(location.search);
const token = params.get("token") || sessionStorage.getItem("posim-token") || "";
if (token) sessionStorage.setItem("posim-token", token);
if (params.has("token")) {  // keep the token out of history once it is stored
  params.delete("token");
  history.replaceState(null, "", location.pathname + (params.size ? "?" + params : ""));
}
const state = { tenant: null, rows: [], clock: null, selected: null, dialects: [], faultPlans: [],
  generation: 0, view: "journal", member: null, skipped: 0 };
const $ = (id) => document.getElementById(id);
const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) =>
  ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

async function call(method, url, body) {
  const headers = { "content-type": "application/json" };
  if (token) headers["x-posim-admin-token"] = token;
  const res = await fetch(url, { method, headers,
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data; try { data = JSON.parse(text); } catch { data = text; }
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 200)}`);
  return data;
}
const api = (path) => call("GET", `api/tenants/${encodeURIComponent(state.tenant)}${path}`);
const control = (method, path, body) =>
  call(method, `/_posim/tenants/${encodeURIComponent(state.tenant)}${path}`, body);

// -- journal ------------------------------------------------------------------------------
function statusClass(s) { return "s" + String(s)[0]; }
// a fault mark is a rule id, or {rule, kind, id} for a sequenced rule from a fault plan
const faultText = (f) => typeof f === "string" ? f : [f.id || f.rule, f.kind].filter(Boolean).join(" ");
function matches(row) {
  const m = $("f-member").value.trim(), o = $("f-order").value.trim();
  const s = $("f-status").value.trim().toLowerCase(), op = $("f-operation").value.trim();
  if (m && !row.member_raw.some((x) => x.includes(m))) return false;
  if (o && !(row.order || "").includes(o)) return false;
  if (s && !(s.endsWith("xx") ? String(row.status)[0] === s[0] : String(row.status) === s))
    return false;
  if (op && !row.operation.toLowerCase().includes(op.toLowerCase())) return false;
  return true;
}
function effectText(row) {
  return row.effect.map((p) => `${p.kind} ${p.phase} ${p.amount}`).join(", ");
}
function renderJournal() {
  const shown = state.rows.filter(matches);
  $("journal-count").textContent = `${shown.length} of ${state.rows.length} exchanges` +
    (state.skipped ? ` (${state.skipped} not shown: the stream samples under load)` : "");
  $("journal-table").tBodies[0].innerHTML = shown.map((r) => `
    <tr data-id="${esc(r.request_id)}" class="${r.request_id === state.selected ? "selected" : ""}">
      <td>${esc(r.seq)}</td><td>${esc(r.at.slice(11, 23))}</td>
      <td>${esc((r.clock || "").slice(0, 19))}</td><td>${esc(r.dialect)}</td>
      <td>${esc(r.operation)}</td><td>${esc(r.member.join(" "))}</td>
      <td class="${statusClass(r.status)}">${esc(r.status)}</td><td>${esc(r.latency_ms)}</td>
      <td>${r.fault ? `<span class="fault">${esc(faultText(r.fault))}</span>` : ""}</td>
      <td>${esc(effectText(r))}</td></tr>`).join("");
}
async function showExchange(id) {
  state.selected = id; renderJournal();
  const d = await api(`/exchanges/${encodeURIComponent(id)}`);
  const x = d.exchange;
  $("detail").innerHTML = `
    <h3>${esc(d.operation)} <span class="${statusClass(d.status)}">${esc(d.status)}</span>
      ${d.fault ? `<span class="fault">fault: ${esc(faultText(d.fault))}</span>` : ""}</h3>
    <p>request ${esc(d.request_id)} at ${esc(d.at)}; tenant clock ${esc(d.clock)}</p>
    <h4>Ledger effect</h4>
    <table class="effect"><thead><tr><th>#</th><th>kind</th><th>phase</th><th>from</th>
      <th>to</th><th>points</th></tr></thead><tbody>${d.effect.map((p) => `<tr><td>${p.seq}
      </td><td>${esc(p.kind)}</td><td>${esc(p.phase)}</td><td>${esc(p.debit)}</td>
      <td>${esc(p.credit)}</td><td>${p.amount}</td></tr>`).join("") ||
      "<tr><td colspan=6>no posting</td></tr>"}</tbody></table>
    ${d.holds.map((h) => `<p class="hold">hold ${esc(h.hold)} (${h.amount} points):
      ${esc(h.changes.join(", "))}; now ${esc(h.state)}</p>`).join("")}
    <h4>Request</h4><pre>${esc(x.method)} ${esc(x.path)}${x.query ? "?" + esc(x.query) : ""}
${esc(JSON.stringify(x.request_headers, null, 1))}
${esc(JSON.stringify(x.request_body, null, 1))}</pre>
    <h4>Response</h4><pre>${esc(x.status)}
${esc(JSON.stringify(x.response_body, null, 1))}</pre>
    <h4>curl</h4><pre class="curl">${esc(d.curl)}</pre>`;
}

// -- timeline (sequence diagram) -------------------------------------------------------------
function checkouts() {
  const keys = new Map();
  for (const r of state.rows) {
    for (const m of r.member_raw) keys.set("member:" + m, `member ${r.member[r.member_raw.indexOf(m)]}`);
    if (r.order) keys.set("order:" + r.order, `order ${r.order}`);
  }
  return keys;
}
function renderTimeline() {
  const pick = $("timeline-of"), current = pick.value;
  pick.innerHTML = [...checkouts()].map(([k, label]) =>
    `<option value="${esc(k)}"${k === current ? " selected" : ""}>${esc(label)}</option>`).join("");
  const [kind, value] = (pick.value || ":").split(/:(.*)/s);
  const rows = state.rows.filter((r) => kind === "member" ? r.member_raw.includes(value)
    : kind === "order" ? r.order === value : false);
  const w = 760, step = 46, top = 40, h = top + rows.length * step + 20;
  const till = 120, posim = 520;
  let svg = `<svg id="sequence" width="${w}" height="${h}" xmlns="http://www.w3.org/2000/svg">
    <defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto">
    <path d="M0,0 L8,4 L0,8 z"/></marker></defs>
    <text x="${till - 10}" y="20">till</text><text x="${posim - 15}" y="20">posim</text>
    <line x1="${till}" y1="28" x2="${till}" y2="${h}" stroke="#889"/>
    <line x1="${posim}" y1="28" x2="${posim}" y2="${h}" stroke="#889"/>`;
  rows.forEach((r, i) => {
    const y = top + i * step;
    svg += `<g class="call" data-id="${esc(r.request_id)}">
      <line x1="${till}" y1="${y}" x2="${posim}" y2="${y}" stroke="#1d2430" marker-end="url(#arrow)"/>
      <text x="${till + 8}" y="${y - 4}">${esc(r.operation)}</text>
      <line x1="${posim}" y1="${y + 16}" x2="${till}" y2="${y + 16}" stroke="#889"
        stroke-dasharray="4 3" marker-end="url(#arrow)"/>
      <text x="${till + 8}" y="${y + 13}" class="${statusClass(r.status)}">${esc(r.status)}
        ${esc(r.latency_ms)} ms</text>`;
    if (r.fault) svg += `<text class="fault-mark" x="${posim + 8}" y="${y + 4}" fill="#c62828">
      ✖ fault: ${esc(faultText(r.fault))}</text>`;
    const holds = r.effect.filter((p) => ["hold", "capture", "release", "expire_hold"].includes(p.kind));
    if (holds.length) svg += `<text class="hold-mark" x="${posim + 8}" y="${y + 18}" fill="#4a7cf0">
      ${esc(holds.map((p) => ({ hold: "hold opened", capture: "hold captured",
      release: "hold released", expire_hold: "hold expired" })[p.kind] + " " + p.amount).join(", "))}</text>`;
    svg += "</g>";
  });
  $("timeline-svg").innerHTML = svg + "</svg>";
}

// -- members ------------------------------------------------------------------------------
function countdown(iso) {
  if (!state.clock || !iso) return "";
  const s = Math.round((Date.parse(iso) - Date.parse(state.clock)) / 1000);
  return s > 0 ? `expires in ${s} s (tenant clock)` : "due";
}
async function renderMembers() {
  const d = await api("/members");
  $("audit").innerHTML = d.audit.ok
    ? `<p class="ok" id="audit-ok">Ledger audit: invariants I1-I14 hold</p>`
    : `<div class="bad" id="audit-bad">Ledger audit: ${d.audit.violations.map((v) =>
      `${esc(v.invariant)} ${esc(v.subject)}: ${esc(v.detail)}`).join("<br>")}</div>`;
  $("members-table").tBodies[0].innerHTML = d.members.map((m) => `
    <tr data-member="${esc(m.member)}"><td>${esc(m.shown)}</td><td>${m.balance}</td>
    <td>${m.available}</td><td>${m.held}</td><td>${m.pending}</td><td>${m.debt}</td></tr>`).join("");
  if (state.member) showMember(state.member);
}
async function showMember(id) {
  state.member = id;
  const m = await api(`/members/${encodeURIComponent(id)}`);
  const table = (title, rows, cols) => `<h4>${title}</h4>${rows.length ? `<table><thead><tr>${
    cols.map((c) => `<th>${c}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${
    cols.map((c) => `<td>${esc(r[c])}</td>`).join("")}</tr>`).join("")}</tbody></table>` : "<p>none</p>"}`;
  $("member-detail").innerHTML = `<h3>${esc(m.shown)}</h3>
    <p>balance ${m.balance.balance}, available ${m.balance.available}, held ${m.balance.held},
    pending ${m.balance.pending}</p>
    ${table("Lots", m.lots, ["lot", "state", "amount", "remaining", "reserved", "expires_at"])}
    <h4>Holds</h4>${m.holds.map((h) => `<p class="member-hold" data-state="${esc(h.state)}">
      ${esc(h.hold)}: ${h.amount} points, <b>${esc(h.state)}</b>
      ${h.state === "pending" ? `<span class="countdown" data-expires="${esc(h.expires_at)}">
      ${countdown(h.expires_at)}</span>` : ""}</p>`).join("") || "<p>none</p>"}
    ${table("Orders", m.orders, Object.keys(m.orders[0] || {}))}
    ${table("Refunds", m.refunds, Object.keys(m.refunds[0] || {}))}
    ${table("Vouchers", m.vouchers, Object.keys(m.vouchers[0] || {}))}`;
}

// -- checklist ----------------------------------------------------------------------------
async function renderChecklist() {
  const pick = $("checklist-dialect");
  const seen = [...new Set(state.rows.map((r) => r.dialect).filter(Boolean))];
  const options = seen.length ? seen : state.dialects;
  const current = pick.value;
  pick.innerHTML = options.map((d) => `<option${d === current ? " selected" : ""}>${esc(d)}</option>`).join("");
  if (!pick.value) return;
  const d = await api(`/checklist?dialect=${encodeURIComponent(pick.value)}`);
  $("checklist-report").dataset.url =
    `api/tenants/${encodeURIComponent(state.tenant)}/checklist/report?dialect=${encodeURIComponent(pick.value)}`;
  const level = d.verdict.level;
  $("verdict").className = "verdict " + level.replace(/_/g, "");
  $("verdict").textContent = `Verdict now: ${d.verdict.label} (${d.exchanges} exchanges; level ${level})`;
  $("checklist-table").tBodies[0].innerHTML = d.items.map((i) => `
    <tr class="item-${esc(i.status)}" data-item="${esc(i.id)}"><td title="${esc(i.text)}">${esc(i.id)}
    ${esc(i.text)}</td><td>${esc(i.severity)}</td><td class="${i.status === "passed" ? "ok" :
    i.status === "failed" ? "bad" : "warn"}">${esc(i.status)}</td>
    <td>${esc(i.findings.join("; ") || i.detail)}</td></tr>`).join("");
}

// -- controls and reports ------------------------------------------------------------------
async function act(label, fn) {
  try { $("control-out").textContent = label + ": " + JSON.stringify(await fn(), null, 1); }
  catch (e) { $("control-out").textContent = String(e); }
  refreshFaults();
}
async function refreshFaults() {
  try {
    const d = await control("GET", "/faults");
    $("fault-list").innerHTML = d.faults.map((f) => `<li>${esc(JSON.stringify(f))}</li>`).join("");
  } catch (e) { $("fault-list").textContent = String(e); }
}
async function renderReports() {
  const d = await call("GET", "api/reports");
  $("reports-table").tBodies[0].innerHTML = d.reports.map((r) => `<tr><td><a href="#"
    class="report" data-url="${esc("reports/" + r.path)}">${esc(r.path)}</a></td><td>${esc(r.verdict || "")}</td>
    <td>${esc(r.modified.slice(0, 19))}</td><td>${r.size}</td></tr>`).join("") ||
    `<tr><td colspan=4>no report in ${esc(d.folder || "(none)")}</td></tr>`;
}

// -- live updates ---------------------------------------------------------------------------
function refreshView() {
  if (state.view === "journal") renderJournal();
  if (state.view === "timeline") renderTimeline();
  if (state.view === "members") renderMembers().catch(console.error);
  if (state.view === "checklist") renderChecklist().catch(console.error);
  if (state.view === "controls") refreshFaults();
  if (state.view === "reports") renderReports().catch(console.error);
}
// Server-sent events read through fetch, not EventSource, so the admin token travels in a
// header (never in a URL that logs and history keep); the stream reconnects where it left off.
function onEvent(name, data) {
  if (name === "journal") {
    const { rows, skipped } = data;
    state.skipped += skipped || 0;
    const known = new Set(state.rows.map((r) => r.request_id));
    state.rows.push(...rows.filter((r) => !known.has(r.request_id)));
    if (state.rows.length > 2000) state.rows.splice(0, state.rows.length - 2000);
    refreshView();
  } else if (name === "clock") {
    state.clock = data.clock;
    $("clock").textContent = "clock: " + state.clock.slice(0, 19);
    document.querySelectorAll(".countdown").forEach((el) => {
      el.textContent = countdown(el.dataset.expires); });
  }
}
async function follow(generation) {
  let cursor = 0;
  while (generation === state.generation) {
    try {
      const headers = token ? { "x-posim-admin-token": token } : {};
      const url = `api/tenants/${encodeURIComponent(state.tenant)}/stream?after=${cursor}`;
      const res = await fetch(url, { headers });
      if (!res.ok) throw new Error(`stream: ${res.status}`);
      $("live").textContent = "live"; $("live").className = "on";
      const reader = res.body.getReader(), decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done || generation !== state.generation) { reader.cancel().catch(() => {}); break; }
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
          let name = "message", data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) name = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
            else if (line.startsWith("id: ")) cursor = Number(line.slice(4));
          }
          if (data) onEvent(name, JSON.parse(data));
        }
      }
    } catch (e) {
      $("live").textContent = "reconnecting"; $("live").className = "off";
    }
    await new Promise((done) => setTimeout(done, 1000));
  }
}
function connect() {
  state.generation = (state.generation || 0) + 1;
  state.rows = []; state.selected = null; state.member = null; state.skipped = 0;
  follow(state.generation);
}
// A report or the full checklist opens in a new tab: fetched with the token, shown as a blob.
async function openWithToken(url) {
  const headers = token ? { "x-posim-admin-token": token } : {};
  const res = await fetch(url, { headers });
  const blob = await res.blob();
  window.open(URL.createObjectURL(blob), "_blank");
}
async function init() {
  const d = await call("GET", "api/tenants");
  state.dialects = d.dialects;
  $("tenant").innerHTML = d.tenants.map((t) => `<option>${esc(t)}</option>`).join("");
  const wanted = params.get("tenant");
  if (wanted && d.tenants.includes(wanted)) $("tenant").value = wanted;
  state.tenant = $("tenant").value;
  $("fault-dialect").innerHTML = `<option value="">any dialect</option>` +
    d.dialects.map((x) => `<option>${esc(x)}</option>`).join("");
  state.faultPlans = (await call("GET", "api/fault-plans")).plans.filter((p) => p.faults.length);
  $("fault-plan").innerHTML = `<option value="">fault plan...</option>` + state.faultPlans.map(
    (p) => `<option value="${esc(p.dialect)}">${esc(p.dialect)}: ${p.faults.length} faults (${
      esc(p.faults.map((f) => f.id).join(", "))})</option>`).join("");
  connect();
}
document.querySelectorAll("nav button").forEach((b) => b.addEventListener("click", () => {
  document.querySelectorAll("nav button, .view").forEach((el) => el.classList.remove("on"));
  b.classList.add("on"); $(b.dataset.view).classList.add("on");
  state.view = b.dataset.view; refreshView();
}));
$("tenant").addEventListener("change", () => { state.tenant = $("tenant").value; connect(); });
["f-member", "f-order", "f-status", "f-operation"].forEach((id) =>
  $(id).addEventListener("input", renderJournal));
$("journal-table").addEventListener("click", (e) => {
  const tr = e.target.closest("tr[data-id]"); if (tr) showExchange(tr.dataset.id);
});
$("members-table").addEventListener("click", (e) => {
  const tr = e.target.closest("tr[data-member]"); if (tr) showMember(tr.dataset.member);
});
$("timeline-of").addEventListener("change", renderTimeline);
$("checklist-report").addEventListener("click", (e) => {
  e.preventDefault(); openWithToken(e.target.dataset.url);
});
$("reports-table").addEventListener("click", (e) => {
  const a = e.target.closest("a.report");
  if (a) { e.preventDefault(); openWithToken(a.dataset.url); }
});
$("checklist-dialect").addEventListener("change", renderChecklist);
$("advance").addEventListener("click", () => act("clock", () =>
  control("POST", "/clock/advance", { seconds: Number($("advance-seconds").value) })));
$("fault-add").addEventListener("click", () => act("fault", () => {
  const body = { kind: $("fault-kind").value };
  if ($("fault-dialect").value) body.dialect = $("fault-dialect").value;
  if ($("fault-route").value) body.route = $("fault-route").value;
  if ($("fault-count").value) body.count = Number($("fault-count").value);
  return control("POST", "/faults", body);
}));
$("fault-clear").addEventListener("click", () => act("faults", () => control("DELETE", "/faults")));
// a certification fault plan is applied the way `posim certify --pos` does it: each of its
// rules posted to the tenant's faults, in order (the rules are sequenced per sale)
$("fault-plan-apply").addEventListener("click", () => act("fault plan", async () => {
  const plan = state.faultPlans.find((p) => p.dialect === $("fault-plan").value);
  if (!plan) throw new Error("choose a fault plan first");
  const added = [];
  for (const f of plan.faults) added.push((await control("POST", "/faults", f.rule)).rule_id);
  return { plan: plan.dialect, added };
}));
$("reset").addEventListener("click", () => act("reset", () => control("POST", "/reset", {})));
$("snapshot").addEventListener("click", async () => {
  const doc = await control("GET", "/snapshot");
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([JSON.stringify(doc)], { type: "application/json" }));
  a.download = `${state.tenant}-snapshot.json`; a.click();
});
$("rate-limits").addEventListener("change", () => act("rate limits", () =>
  control("PUT", "/rate-limits", { enabled: $("rate-limits").checked })));
init().catch((e) => { document.body.insertAdjacentHTML("afterbegin", `<p class="bad">${esc(e)}</p>`); });
