"use strict";
// The window view's charts of days and of the answer's own groups: calls per day stacked by status (days in the
// answer's time zone, as its day table), and a table per dimension the answer grouped by, with each group's share
// of failed calls. Every figure arrives computed by the server; this only draws it, as text and sizes.

const STATUS_SERIES = new Set(["completed", "failed", "no_answer", "cancelled", "busy", "in_progress", "active"]);
const EXTRA_SERIES = 6; // statuses not known here take these colours in turn, so every one is told apart

function seriesClasses(statuses) {
  // Each status's class: its own colour when it is a known status, else the next of the extra ones.
  const classes = new Map();
  let extra = 0;
  for (const status of statuses) {
    classes.set(status, STATUS_SERIES.has(status) ? "series-" + status : "series-extra-" + (extra++ % EXTRA_SERIES));
  }
  return classes;
}

function dayLabel(value) {
  // "2026-11-13 Fri" shows as 13; a week "2026-W46" as W46; anything else as sent.
  const text = String(value);
  if (/^\d{4}-\d{2}-\d{2}\b/.test(text)) return text.slice(8, 10);
  if (/^\d{4}-W\d{2}$/.test(text)) return text.slice(5);
  return text;
}

function legend(statuses, classes) {
  return h(
    "p",
    { class: "legend", "aria-label": "Statuses" },
    statuses.map((status) =>
      h("span", { class: "legend-item" }, h("span", { class: "swatch " + classes.get(status) }), words(status)),
    ),
  );
}

function dayColumn(bar, most, classes) {
  const parts = bar.statuses.map((part) => words(part.status) + " " + part.count).join(", ");
  const stack = h("span", { class: "day-stack" });
  stack.style.height = (100 * bar.count) / most + "%";
  for (const part of bar.statuses) {
    const segment = h("span", {
      class: "segment " + classes.get(part.status),
      "data-status": part.status,
      "data-count": part.count,
      title: words(part.status) + ": " + part.count,
    });
    segment.style.flexGrow = String(part.count);
    stack.append(segment);
  }
  return h(
    "div",
    {
      class: "day",
      role: "listitem",
      "data-day": bar.value,
      "data-count": bar.count,
      title: bar.value + ": " + bar.count + " calls" + (parts ? " (" + parts + ")" : ""),
    },
    h("span", { class: "day-value" }, String(bar.count)),
    h("span", { class: "day-track" }, stack),
    h("span", { class: "day-label" }, dayLabel(bar.value)),
  );
}

function daysChart(days) {
  const title = "Calls per " + (days && days.title ? days.title : "day") + ", by status";
  const section = h("section", { "aria-label": "By day" }, h("h2", {}, title));
  const bars = (days && days.bars) || [];
  if (!bars.length) {
    section.append(h("p", { class: "muted" }, "No calls in this window."));
    return section;
  }
  const classes = seriesClasses(days.statuses || []);
  const most = Math.max(...bars.map((bar) => bar.count), 1);
  const span = bars.length > 1 ? bars[0].value + " to " + bars[bars.length - 1].value : bars[0].value;
  section.append(
    legend(days.statuses || [], classes),
    h("div", { class: "days-chart", role: "list" }, bars.map((bar) => dayColumn(bar, most, classes))),
    h("p", { class: "muted axis" }, span),
  );
  return section;
}

function percent(value) {
  return (100 * value).toFixed(1) + "%";
}

function failedCell(row) {
  const share = row.failedShare;
  if (!share) return h("td", { class: "muted" }, "- (none finished)");
  const fill = h("span", { class: "fill bad" });
  fill.style.width = 100 * share.share + "%";
  const interval = h("span", { class: "whisker" });
  interval.style.left = 100 * share.low + "%";
  interval.style.width = 100 * (share.high - share.low) + "%";
  return h(
    "td",
    { class: "failed-share" },
    h("span", { class: "share-track" }, fill, interval),
    h("span", { class: "bar-value" }, percent(share.share)),
    h("span", { class: "muted interval" }, " [" + percent(share.low) + "–" + percent(share.high) + "]"),
  );
}

function groupTable(bridge, table, status) {
  const title = "By " + table.title;
  const head = h(
    "tr",
    {},
    [table.title, "calls", "finished", "failed", "failed share of finished (95%)", "examples"].map((name) =>
      h("th", { scope: "col" }, name),
    ),
  );
  const rows = table.rows.map((row) =>
    h(
      "tr",
      { class: "group-row", "data-value": row.value, "data-failed-share": row.failedShare ? row.failedShare.share : "" },
      h("th", { scope: "row", class: "group-value" }, words(row.value)),
      h("td", { class: "num" }, String(row.calls)),
      h("td", { class: "num" }, String(row.finished)),
      h("td", { class: "num" }, String(row.failed)),
      failedCell(row),
      h("td", {}, examples(bridge, row, status)),
    ),
  );
  return h(
    "section",
    { "aria-label": title, class: "group-table" },
    h("h2", {}, title),
    rows.length
      ? h("table", { class: "metrics groups" }, h("thead", {}, head), h("tbody", {}, rows))
      : h("p", { class: "muted" }, "No calls in this window."),
  );
}
