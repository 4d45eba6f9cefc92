"use strict";
// The window view: summarize_logs' window drawn as calls per day by status, a table per dimension the answer grouped
// by (charts.js), bars by status, disconnect reason and hour, and latency and duration percentiles; compare_calls'
// comparison as a forest plot (forest.js) above its two sides. An example call opens in the call view through the
// host: the view asks the host to send the model a message naming the call (ui/message), and get_log's answer
// renders in the call view. A host that refuses the message gets the get_log call to ask for instead.

const CALL_ID = /^CALL-\d{13}-[0-9a-fA-F]{6}$/; // the server's form; nothing else goes into a message
const UNSUCCESSFUL = new Set(["failed", "no_answer", "busy", "cancelled"]);
const GROUP_TITLES = { status: "By status", disconnect_reason: "By disconnect reason", hour: "By hour" };

async function openCall(bridge, callId, status) {
  if (!CALL_ID.test(callId)) {
    status.textContent = "This call id is not one get_log can open.";
    return;
  }
  try {
    await bridge.sendMessage("Open call " + callId + " with get_log.");
    status.textContent = "Asked the assistant to open " + callId + ".";
  } catch (error) {
    status.textContent = "This host did not take the message; ask for get_log(call_id=\"" + callId + "\").";
  }
}

function examples(bridge, group, status) {
  if (!group.examples.length) return null;
  return h(
    "span",
    { class: "examples" },
    group.examples.map((callId) =>
      h(
        "button",
        { type: "button", class: "example", title: "Open " + callId, onclick: () => openCall(bridge, callId, status) },
        callId.slice(-6),
      ),
    ),
  );
}

function bars(bridge, key, groups, total, status) {
  const chart = h("div", { class: key === "hour" ? "columns-chart" : "bars", role: "list" });
  const most = Math.max(...groups.map((group) => group.count), 1);
  for (const group of groups) {
    const percent = total ? (100 * group.count) / total : 0;
    const share = percent > 0 && percent < 1 ? "<1" : String(Math.round(percent));
    const bad = key === "status" && UNSUCCESSFUL.has(group.value);
    const fill = h("span", { class: bad ? "fill bad" : "fill" });
    const size = (100 * group.count) / most + "%";
    if (key === "hour") fill.style.height = size;
    else fill.style.width = size;
    chart.append(
      h(
        "div",
        { class: "bar-row", role: "listitem", title: words(group.value) + ": " + group.count },
        h("span", { class: "bar-label" }, key === "hour" ? group.value.slice(0, 2) : words(group.value)),
        h("span", { class: "track" }, fill),
        h("span", { class: "bar-value" }, key === "hour" ? String(group.count) : group.count + " (" + share + "%)"),
        key === "hour" ? null : examples(bridge, group, status),
      ),
    );
  }
  return h("section", { "aria-label": GROUP_TITLES[key] }, h("h2", {}, GROUP_TITLES[key]), chart);
}

function percentiles(data) {
  const row = (name, spread, format) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, name),
      ["p50", "p90", "p95", "p99"].map((key) => h("td", {}, format(spread[key]))),
      h("td", { class: "muted" }, String(spread.count)),
    );
  const head = h("tr", {}, ["", "p50", "p90", "p95", "p99", "n"].map((name) => h("th", { scope: "col" }, name)));
  return h(
    "section",
    { "aria-label": "Percentiles" },
    h("h2", {}, "Percentiles"),
    h(
      "table",
      { class: "metrics" },
      h("thead", {}, head),
      h("tbody", {}, row("Reply latency", data.latencyMs, millis), row("Duration", data.durationSeconds, span)),
    ),
  );
}

function windowPanel(bridge, data, title) {
  const status = h("p", { class: "muted", role: "status" });
  const coverage = data.complete
    ? data.calls + " calls, all read"
    : data.calls + " of " + data.matching + " matching calls read" + (data.capped ? " (the scan's ceiling)" : "");
  return h(
    "div",
    { class: "panel" },
    h("header", {}, h("h1", {}, title), h("p", { class: "label" }, data.label), h("p", {}, coverage)),
    daysChart(data.days),
    (data.tables || []).map((table) => groupTable(bridge, table, status)),
    Object.entries(data.groups).map(([key, groups]) => bars(bridge, key, groups, data.calls, status)),
    percentiles(data),
    status,
  );
}

function filtersOf(value) {
  // A side may come as an object or, as some hosts send nested arguments, as its JSON text.
  const read = typeof value === "string" ? JSON.parse(value) : value;
  return read && typeof read === "object" && !Array.isArray(read) ? read : {};
}

async function readWindow(bridge, args) {
  // What to draw for summarize_logs (one window, with the answer's group_by) or compare_calls (its comparison and
  // its two sides): the comparison, if any, and the panels' titles and data.
  if (args.baseline !== undefined && args.candidate !== undefined) {
    const sides = [
      ["Baseline", filtersOf(args.baseline)],
      ["Candidate", filtersOf(args.candidate)],
    ];
    const deep = args.deep === true || args.deep === "true";
    const [comparison, ...read] = await Promise.all([
      bridge.callTool("compare_view_data", { baseline: sides[0][1], candidate: sides[1][1], deep }),
      ...sides.map(([, filters]) => bridge.callTool("window_view_data", { filters })),
    ]);
    return { comparison, panels: read.map((data, i) => [sides[i][0], data]) };
  }
  const { group_by, max_calls, ...filters } = args; // summarize_logs' own parameters, then its filters
  const asked = { filters, group_by: group_by ?? [], max_calls: max_calls ?? null };
  return { comparison: null, panels: [["Calls", await bridge.callTool("window_view_data", asked)]] };
}

function renderWindow(root, bridge, read) {
  const drawn = read.panels.map(([title, data]) => windowPanel(bridge, data, title));
  const sides = drawn.length > 1 ? h("div", { class: "sides" }, drawn) : drawn[0];
  clear(root).append(...(read.comparison ? [forest(read.comparison), sides] : [sides]));
}

startView("atoms-logs window view", readWindow, renderWindow);
