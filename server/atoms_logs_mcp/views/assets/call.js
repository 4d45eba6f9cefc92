"use strict";
// The call view: get_log's call drawn as a header, a transcript in speaker lanes, the event timeline, a
// per-reply latency chart and the disposition metrics. Selecting a turn (click, or arrow keys in the
// transcript) highlights the events and the latency bar that belong to it: a turn's events run from its start
// to the next turn's; an agent turn's also include the wait before it (from the caller's turn it answers), when
// its tools ran and its latency was measured.

const PARTS = [
  ["llm", "LLM"],
  ["tts", "TTS"],
  ["stt", "STT"],
];

function turnWindows(turns) {
  // A turn without a time owns no events.
  return turns.map((turn, index) => {
    const next = turns.slice(index + 1).find((later) => typeof later.seconds === "number");
    const before = turns[index - 1];
    const answers = turn.role === "agent" && before && before.role === "user" && typeof before.seconds === "number";
    return {
      start: typeof turn.seconds === "number" ? (answers ? before.seconds : turn.seconds) : null,
      end: next ? next.seconds : Infinity,
    };
  });
}

function header(data) {
  const head = data.header;
  const version = head.versionNumber !== null ? "v" + head.versionNumber : head.versionId ? "version" : null;
  const facts = [
    ["Agent", [head.agent || head.agentId || "-", version ? " · " + version : ""].join("")],
    ["Duration", span(head.durationSeconds)],
    ["Cost", money(head.cost)],
    ["Started", head.created ? head.created.replace("T", " ").slice(0, 19) + " UTC" : "-"],
    ["Channel", words(head.channel)],
    ["Disconnect", words(head.disconnectReason)],
  ];
  if (head.failureReason) facts.push(["Failure", head.failureReason]);
  return h(
    "header",
    { class: "call-header" },
    h("h1", {}, h("span", { class: "status status-" + token(head.status) }, words(head.status)), " ", data.callId),
    h("dl", { class: "facts" }, facts.map(([name, value]) => h("div", {}, h("dt", {}, name), h("dd", {}, value)))),
    head.summary ? h("p", { class: "summary" }, head.summary) : null,
  );
}

function transcript(data, select) {
  const list = h("ol", { class: "turns", role: "listbox", "aria-label": "Transcript turns", tabindex: "0" });
  for (const turn of data.turns) {
    list.append(
      h(
        "li",
        {
          class: "turn lane-" + (turn.role === "agent" ? "agent" : turn.role === "user" ? "user" : "other"),
          role: "option",
          id: "turn-" + turn.number,
          "data-turn": turn.number,
          "aria-selected": "false",
          onclick: () => select(turn.number),
        },
        h("span", { class: "stamp" }, "#" + turn.number + " " + offset(turn.seconds)),
        h("span", { class: "speaker" }, words(turn.role)),
        h("span", { class: "text" }, turn.text),
      ),
    );
  }
  list.addEventListener("keydown", (event) => {
    const current = Number(list.getAttribute("data-selected") || 0);
    const moves = { ArrowDown: 1, ArrowUp: -1, Home: -Infinity, End: Infinity };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const wanted = Math.min(Math.max(current + moves[event.key], 1), data.turns.length);
    select(wanted);
  });
  return section("Transcript", data.turns.length ? list : h("p", { class: "muted" }, "No transcript."));
}

function badge(event) {
  if (event.kind === "error" || event.kind === "node") return event.kind;
  return words(event.type).replace(/^call /, "").replace(/^turn /, "");
}

function timeline(data) {
  const list = h("ol", { class: "events", "aria-label": "Events" });
  for (const event of data.events) {
    const outcome = event.kind === "tool" ? String(event.outcome).replace(" ", "-") : null;
    list.append(
      h(
        "li",
        { class: "event kind-" + event.kind + (outcome ? " outcome-" + outcome : ""), "data-seconds": event.seconds },
        h("span", { class: "stamp" }, offset(event.seconds)),
        h("span", { class: "badge", title: event.type }, event.kind === "tool" ? event.outcome : badge(event)),
        h("span", { class: "text" }, event.text),
      ),
    );
  }
  return section("Events", data.events.length ? list : h("p", { class: "muted" }, "No events recorded."));
}

function latencyChart(data, select) {
  const latency = data.latency;
  if (!latency) return section("Latency per reply", h("p", { class: "muted" }, "No turn latency recorded."));
  const longest = Math.max(...latency.replies.map((reply) => reply.totalMs), 1);
  const rows = h("div", { class: "bars", "aria-label": "Latency of each reply" });
  const split = latency.replies.some((reply) => PARTS.some(([key]) => typeof reply[key + "Ms"] === "number"));
  for (const reply of latency.replies) {
    rows.append(replyRow(reply, longest, select));
  }
  const legend = h(
    "p",
    { class: "legend" },
    split ? PARTS.map(([key, label]) => [h("span", { class: "swatch part-" + key }), label + " "]) : null,
    h("span", { class: "swatch part-total" }),
    (split ? "rest · " : "total · ") + "median " + millis(latency.medianMs) + " · p95 " + millis(latency.p95Ms),
  );
  return section("Latency per reply", legend, rows);
}

function replyRow(reply, longest, select) {
  // The parts the events give, then what of the total they do not cover, so the bar is as long as the total.
  const bar = h("div", { class: "stack" });
  const parts = PARTS.filter(([key]) => typeof reply[key + "Ms"] === "number").map(([key, label]) => [
    key,
    label,
    reply[key + "Ms"],
  ]);
  const covered = parts.reduce((sum, part) => sum + part[2], 0);
  if (reply.totalMs > covered) parts.push(["total", parts.length ? "rest" : "total", reply.totalMs - covered]);
  for (const [key, label, value] of parts) {
    const piece = h("span", { class: "part part-" + key, title: label + " " + millis(value) });
    piece.style.width = Math.max(0, (100 * value) / longest) + "%";
    bar.append(piece);
  }
  const label = reply.turn ? "#" + reply.turn : "?";
  return h(
    "button",
    {
      class: "bar-row",
      type: "button",
      "data-turn": reply.turn,
      "aria-label": "Reply " + label + ": " + millis(reply.totalMs),
      onclick: () => reply.turn && select(reply.turn),
    },
    h("span", { class: "bar-label" }, label),
    bar,
    h("span", { class: "bar-value" }, millis(reply.totalMs)),
  );
}

function metrics(data) {
  if (!data.metrics.length) return section("Disposition metrics", h("p", { class: "muted" }, "No metrics."));
  const rows = data.metrics.map((metric) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, metric.name),
      h("td", {}, metric.value === null ? "-" : metric.value),
      h("td", { class: "muted" }, metric.type || ""),
      h("td", { class: "muted" }, metric.confidence === null ? "" : metric.confidence.toFixed(2)),
    ),
  );
  const head = h("tr", {}, ["Metric", "Value", "Type", "Confidence"].map((name) => h("th", { scope: "col" }, name)));
  return section("Disposition metrics", h("table", { class: "metrics" }, h("thead", {}, head), h("tbody", {}, rows)));
}

function section(title, ...content) {
  return h("section", { "aria-label": title }, h("h2", {}, title), ...content);
}

function renderCall(root, data) {
  const windows = turnWindows(data.turns);
  const selectTurn = (number) => {
    const list = root.querySelector(".turns");
    if (list) list.setAttribute("data-selected", number);
    for (const turn of root.querySelectorAll(".turn")) {
      const chosen = Number(turn.dataset.turn) === number;
      turn.setAttribute("aria-selected", String(chosen));
      if (chosen) {
        list.setAttribute("aria-activedescendant", turn.id);
        turn.scrollIntoView({ block: "nearest" });
      }
    }
    const owned = windows[number - 1] || { start: null };
    for (const event of root.querySelectorAll(".event")) {
      const at = event.dataset.seconds === undefined ? null : Number(event.dataset.seconds);
      const inside = owned.start !== null && at !== null && at >= owned.start && at < owned.end;
      event.classList.toggle("in-turn", inside);
    }
    for (const bar of root.querySelectorAll(".bar-row")) {
      bar.classList.toggle("in-turn", Number(bar.dataset.turn) === number);
    }
    root.querySelector("#selection").textContent = "Turn #" + number + " selected";
  };
  clear(root).append(
    header(data),
    h("p", { id: "selection", class: "visually-hidden", "aria-live": "polite" }),
    h("div", { class: "columns" }, transcript(data, selectTurn), timeline(data)),
    latencyChart(data, selectTurn),
    metrics(data),
  );
}

async function readCall(bridge, args) {
  if (typeof args.call_id !== "string") throw new Error("no call id in the tool's arguments");
  return bridge.callTool("call_view_data", { call_id: args.call_id.trim() });
}

startView("atoms-logs call view", readCall, (root, bridge, data) => renderCall(root, data));
