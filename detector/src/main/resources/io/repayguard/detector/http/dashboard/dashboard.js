// The repayguard dashboard: a live feed of committed alerts and hold commands (server-sent
// events read with fetch, so a bearer token can go with them), counts, two charts, the health of
// the detector, and a plan's state with Acknowledge and Resolve. No library, nothing from the
// internet: everything it uses is served by the detector.
"use strict";

const MAX_ROWS = 500;
const STATES = {
  RUNNING: ["ok", ""],
  REBALANCING: ["warn", "The detector is rebalancing: its partitions are moving between instances or its state is being restored. Decisions pause for a few seconds and nothing is lost; plan queries answer 503 until it is RUNNING again."],
  CREATED: ["warn", "The detector is starting."],
  PENDING_SHUTDOWN: ["bad", "The detector is shutting down."],
  NOT_RUNNING: ["bad", "The detector has stopped: nothing is being decided. Check its log."],
  PENDING_ERROR: ["bad", "The detector failed and is stopping: nothing is being decided. Check its log."],
  ERROR: ["bad", "The detector failed: nothing is being decided. Check its log."],
};

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("repayguard-token") || "";
let command = null;

function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}

function needToken() {
  $("token").hidden = false;
}

$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  token = $("token-input").value.trim();
  sessionStorage.setItem("repayguard-token", token);
  $("token").hidden = true;
});

function text(tag, value, cls) {
  const el = document.createElement(tag);
  el.textContent = value == null ? "" : String(value);
  if (cls) el.className = cls;
  return el;
}

function planButton(planId) {
  const b = text("button", planId, "plan-link");
  b.type = "button";
  b.addEventListener("click", () => showPlan(planId));
  return b;
}

function addItem(item, fresh) {
  const row = document.createElement("tr");
  if (fresh) row.className = "new";
  row.dataset.kind = item.kind;
  row.dataset.plan = item.planId;
  const decided = text("td", (item.decidedAt || "").replace("T", " ").replace(/(\.\d+)?Z$/, ""));
  decided.title = item.decidedAt || "";
  row.append(decided);
  row.append(text("td", item.kind === "alert" ? "alert" : "hold"));
  const plan = document.createElement("td");
  plan.append(planButton(item.planId));
  row.append(plan);
  if (item.kind === "alert") {
    row.dataset.rule = item.rule;
    row.dataset.status = item.status;
    row.append(text("td", item.rule));
    row.append(text("td", item.severity, "sev-" + item.severity));
    const acknowledged = item.evidence && item.evidence.acknowledgedBy;
    row.append(text("td", item.status + (acknowledged && item.status === "OPEN" ? " (ack " + acknowledged + ")" : ""), "status-" + item.status));
    row.append(text("td", item.explanation));
  } else {
    row.dataset.action = item.action;
    row.append(text("td", (item.rules || []).join(", ")));
    row.append(text("td", ""));
    row.append(text("td", item.action, "action-" + item.action));
    row.append(text("td", item.action === "HOLD" ? "collection frozen" : "collection may resume"));
  }
  const feed = $("feed");
  feed.insertBefore(row, feed.firstChild);
  if (fresh && $("plan").dataset.plan === item.planId) showPlan(item.planId);
  while (feed.children.length > MAX_ROWS) feed.removeChild(feed.lastChild);
  $("feed-empty").hidden = true;
}

function showStatus(s) {
  const [cls, message] = STATES[s.state] || ["warn", "The detector is " + s.state + "."];
  const pill = $("health");
  pill.className = "pill " + cls;
  pill.textContent = s.state;
  const notes = [];
  if (message) notes.push(message);
  if (s.feedStopped) notes.push("The feed stopped reading the alert and hold topics (" + s.feedStopped + "): what this page shows is no longer current; restart the detector.");
  else if (!s.caughtUp) notes.push("Reading the history of the alert and hold topics; counts are still growing.");
  const banner = $("banner");
  banner.hidden = notes.length === 0;
  banner.className = "banner" + (cls === "bad" || s.feedStopped ? " bad" : "");
  banner.textContent = notes.join(" ");
  $("holds-active").textContent = s.holdsActive;
  $("open-alerts").textContent = s.openAlerts;
  $("opened-total").textContent = s.openedTotal;
  $("resolved-total").textContent = s.resolvedTotal;
  $("input-lag").textContent = s.inputLag;
  showCounts(s.openedByRuleAndSeverity);
  bars($("alerts-chart"), s.alertsPerMinute);
  line($("lag-chart"), s.lagPerMinute);
}

function showCounts(byRule) {
  const severities = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];
  const head = $("counts-head");
  if (!head.firstChild) {
    const tr = document.createElement("tr");
    tr.append(text("th", "rule"));
    severities.forEach((s) => tr.append(text("th", s)));
    head.append(tr);
  }
  const body = $("counts");
  body.replaceChildren();
  Object.keys(byRule).forEach((rule) => {
    const tr = document.createElement("tr");
    tr.append(text("td", rule));
    severities.forEach((s) => tr.append(text("td", byRule[rule][s] || 0, "n")));
    body.append(tr);
  });
}

function svgEl(name, attrs) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", name);
  Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
  return el;
}

function scale(values) {
  return Math.max(1, ...values.filter((v) => v != null));
}

function frame(svg, max) {
  svg.replaceChildren();
  svg.append(svgEl("line", { x1: 0, y1: 110, x2: 600, y2: 110, class: "axis" }));
  const label = svgEl("text", { x: 2, y: 10 });
  label.textContent = "max " + max;
  svg.append(label);
  const ago = svgEl("text", { x: 2, y: 120 });
  ago.textContent = "-60 min";
  svg.append(ago);
}

function bars(svg, values) {
  const max = scale(values);
  frame(svg, max);
  const w = 600 / values.length;
  values.forEach((v, i) => {
    const h = (100 * v) / max;
    svg.append(svgEl("rect", { x: i * w + 1, y: 110 - h, width: Math.max(1, w - 2), height: h, class: "bar" }));
  });
}

function line(svg, values) {
  const max = scale(values);
  frame(svg, max);
  const w = 600 / values.length;
  const points = values
    .map((v, i) => (v == null ? null : (i * w + w / 2).toFixed(1) + "," + (110 - (100 * v) / max).toFixed(1)))
    .filter((p) => p != null);
  if (points.length > 1) svg.append(svgEl("polyline", { points: points.join(" "), class: "line" }));
  points.forEach((p) => {
    const [cx, cy] = p.split(",");
    svg.append(svgEl("circle", { cx, cy, r: 2.5, class: "dot" }));
  });
}

async function showPlan(planId) {
  const panel = $("plan");
  history.replaceState(null, "", "#plan=" + encodeURIComponent(planId));
  panel.className = "";
  if (panel.dataset.plan !== planId) panel.textContent = "Loading " + planId + "…";
  let response;
  try {
    response = await fetch("/plans/" + encodeURIComponent(planId), { headers: headers() });
  } catch (e) {
    panel.textContent = "Cannot reach the detector: " + e.message;
    return;
  }
  if (response.status === 401) { needToken(); panel.textContent = "This detector asks for its API token."; return; }
  const body = await response.json();
  if (!response.ok) {
    panel.replaceChildren(text("p", planId + ": " + body.error, "notice bad"));
    return;
  }
  render(body);
}

function render(plan) {
  const panel = $("plan");
  const notice = $("command-notice");
  panel.replaceChildren();
  if (notice && panel.dataset.plan === plan.planId) panel.append(notice);
  panel.dataset.plan = plan.planId;
  const dl = document.createElement("dl");
  const row = (k, v) => { dl.append(text("dt", k)); dl.append(text("dd", v)); };
  row("plan", plan.planId);
  row("account", plan.accountId);
  row("held", plan.held ? "yes: collection frozen" : "no");
  row("collected", plan.collectedMinor);
  row("borrowing", plan.borrowing ? plan.borrowing.creditId + " " + plan.borrowing.status + ", " + plan.borrowing.amountMinor + " on account " + plan.borrowing.accountId : "none found (" + (plan.creditId || "no creditId") + ")");
  row("decided events", plan.decidedEvents.length);
  dl.dataset.held = String(plan.held);
  panel.append(dl);
  if (plan.openAlerts.length === 0) panel.append(text("p", "No open alert.", "muted"));
  plan.openAlerts.forEach((a) => {
    const card = document.createElement("div");
    card.className = "alert-card";
    card.dataset.rule = a.rule;
    card.append(text("strong", a.rule + " "));
    card.append(text("span", a.severity, "sev-" + a.severity));
    card.append(text("p", a.explanation));
    const ack = text("button", "Acknowledge");
    ack.type = "button";
    ack.className = "ack";
    ack.addEventListener("click", () => ask(plan.planId, a.rule, "ack"));
    const resolve = text("button", "Resolve");
    resolve.type = "button";
    resolve.className = "resolve";
    resolve.addEventListener("click", () => ask(plan.planId, a.rule, "resolve"));
    card.append(ack, resolve);
    panel.append(card);
  });
}

function ask(planId, rule, action) {
  command = { planId, rule, action };
  $("command-title").textContent = (action === "ack" ? "Acknowledge " : "Resolve ") + rule + " on " + planId;
  $("command-analyst").value = localStorage.getItem("repayguard-analyst") || "";
  $("command-reason").value = "";
  $("command-dialog").showModal();
}

$("command-cancel").addEventListener("click", () => $("command-dialog").close());

$("command-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const analyst = $("command-analyst").value.trim();
  const reason = $("command-reason").value.trim();
  if (!analyst || !reason) return;
  localStorage.setItem("repayguard-analyst", analyst);
  $("command-dialog").close();
  const { planId, rule, action } = command;
  const response = await fetch("/plans/" + encodeURIComponent(planId) + "/alerts/" + rule + "/" + action, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({ analyst, reason }),
  });
  if (response.status === 401) { needToken(); return; }
  const body = await response.json();
  const notice = response.status === 202
    ? text("p", (action === "ack" ? "Acknowledgement" : "Resolution") + " sent (command " + body.commandId + "); the outcome appears in the feed.", "notice")
    : text("p", "Not sent: " + body.error, "notice bad");
  notice.id = "command-notice";
  const old = $("command-notice");
  if (old) old.remove();
  $("plan").prepend(notice);
});

async function stream() {
  try {
    const response = await fetch("/events", { headers: headers({ Accept: "text/event-stream" }) });
    if (response.status === 401) { needToken(); throw new Error("a token is needed"); }
    if (!response.ok) throw new Error("HTTP " + response.status);
    $("feed").replaceChildren();
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let first = true;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        let data = "";
        message.split("\n").forEach((l) => {
          if (l.startsWith("event: ")) event = l.slice(7);
          else if (l.startsWith("data: ")) data += l.slice(6);
        });
        if (event === "status") { showStatus(JSON.parse(data)); first = false; }
        else if (event === "item") addItem(JSON.parse(data), !first);
      }
    }
    throw new Error("the stream ended");
  } catch (e) {
    const pill = $("health");
    pill.className = "pill bad";
    pill.textContent = "DISCONNECTED";
    const banner = $("banner");
    banner.hidden = false;
    banner.className = "banner bad";
    banner.textContent = "Lost the connection to the detector (" + e.message + "); reconnecting…";
    setTimeout(stream, 2000);
  }
}

stream();
// a link to a plan (#plan=ID, as the address bar shows once one is open) opens it
if (location.hash.startsWith("#plan=")) showPlan(decodeURIComponent(location.hash.slice(6)));
