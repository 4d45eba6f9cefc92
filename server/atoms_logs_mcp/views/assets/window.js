"use strict";
// The window view: summarize_logs' window (or compare_calls' two sides) drawn as bars by status, disconnect
// reason and hour, with latency and duration percentiles. An example call opens in the call view through the
// host: the view asks the host to send the model a message naming the call, and get_log's answer renders.

const CALL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
const NO_SERVER_TOOLS_WINDOW = "This host does not let views call the server's tools: the text answer has everything.";
const UNSUCCESSFUL = new Set(["failed", "no_answer", "busy", "cancelled"]);
const GROUP_TITLES = { status: "By status", disconnect_reason: "By disconnect reason", hour: "By hour" };

function openCall(bridge, callId, status) {
  if (!CALL_ID.test(callId)) return;
  if (!bridge.canSendMessages()) {
    status.textContent = "Ask for get_log(call_id=\"" + callId + "\") to open this call.";
    return;
  }
  status.textContent = "Asked the assistant to open " + callId + ".";
  bridge
    .sendMessage("Open call " + callId + " with get_log.")
    .catch((error) => (status.textContent = "The host did not send the message: " + error.message));
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
    h("header", {}, h("h1", {}, title || "Calls"), h("p", { class: "label" }, data.label), h("p", {}, coverage)),
    Object.entries(data.groups).map(([key, groups]) => bars(bridge, key, groups, data.calls, status)),
    percentiles(data),
    status,
  );
}

async function renderWindow(root, bridge, args) {
  const sides = args.baseline && args.candidate ? [["Baseline", args.baseline], ["Candidate", args.candidate]] : null;
  if (sides) {
    const read = await Promise.all(sides.map(([, filters]) => bridge.callTool("window_view_data", filters)));
    clear(root).append(h("div", { class: "sides" }, read.map((data, i) => windowPanel(bridge, data, sides[i][0]))));
  } else {
    const filters = Object.assign({}, args);
    delete filters.group_by;
    clear(root).append(windowPanel(bridge, await bridge.callTool("window_view_data", filters), null));
  }
}

function startWindowView() {
  const root = document.getElementById("app");
  const bridge = createBridge({ name: "atoms-logs window view", version: "1" });
  bridge.on("ui/notifications/tool-input", async (params) => {
    if (!bridge.host.capabilities.serverTools) return notice(root, NO_SERVER_TOOLS_WINDOW);
    notice(root, "Reading the calls…");
    try {
      await renderWindow(root, bridge, params.arguments || {});
    } catch (error) {
      notice(root, "The calls could not be shown: " + error.message, "error");
    }
  });
  bridge.on("ui/notifications/tool-cancelled", () => notice(root, "The tool call was cancelled."));
  bridge.connect().catch((error) => notice(root, "The host did not answer: " + error.message, "error"));
}
