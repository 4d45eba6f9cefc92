"use strict";
// compare_calls' comparison drawn as a forest plot: each difference (candidate - baseline) a point on its 95%
// interval, around a zero line. The figures, the words and which rows moved all come from the server, as the text
// answer says them: the rows that survived Holm's correction say higher or lower, the rest within noise.

function position(value, extent) {
  // Where on the axis a value sits, in percent of the plot's width: zero in the middle.
  if (typeof value !== "number" || !Number.isFinite(value) || !(extent > 0)) return 50;
  return Math.min(100, Math.max(0, 50 + (50 * value) / extent));
}

function plot(row) {
  const area = h("span", { class: "forest-plot", "aria-hidden": "true" }, h("span", { class: "zero" }));
  if (typeof row.estimate !== "number" || typeof row.low !== "number" || typeof row.high !== "number") return area;
  const low = position(row.low, row.extent);
  const interval = h("span", { class: "interval" });
  interval.style.left = low + "%";
  interval.style.width = Math.max(position(row.high, row.extent) - low, 0.5) + "%";
  const point = h("span", { class: "point" });
  point.style.left = position(row.estimate, row.extent) + "%";
  area.append(interval, point);
  return area;
}

function verdictClass(verdict) {
  if (verdict === "higher" || verdict === "lower") return "verdict moved-" + verdict;
  return verdict ? "verdict noise" : "verdict untested";
}

function forestRow(row) {
  return h(
    "div",
    {
      class: row.moved ? "forest-row moved" : "forest-row",
      role: "listitem",
      "data-verdict": row.verdict || "",
      title: row.name + ": " + row.difference + (row.verdict ? " " + row.verdict : ""),
    },
    h("span", { class: "forest-name" }, row.name),
    plot(row),
    h("span", { class: "forest-diff" }, row.difference),
    h("span", { class: verdictClass(row.verdict) }, row.verdict || "not tested"),
  );
}

function forest(comparison) {
  const sides = ["baseline", "candidate"].map((side) => {
    const data = comparison[side] || {};
    return h("p", { class: "label" }, (side === "baseline" ? "Baseline: " : "Candidate: ") + (data.label || "-"));
  });
  const survive = comparison.survivors === 1 ? " survives" : " survive";
  const tested = comparison.tested
    ? comparison.tested + " rows tested; " + comparison.survivors + survive + " Holm's correction."
    : "No row tested: a side has too few finished calls.";
  return h(
    "section",
    { class: "comparison", "aria-label": "Comparison" },
    h("header", {}, h("h1", {}, "Candidate − baseline, with 95% intervals"), sides, h("p", {}, tested)),
    (comparison.panels || []).map((panel) =>
      h(
        "div",
        { class: "forest-panel", "aria-label": panel.title },
        h("h2", {}, panel.title + (panel.unit ? " (" + panel.unit + ")" : "")),
        h("div", { class: "forest", role: "list" }, panel.rows.map(forestRow)),
      ),
    ),
    (comparison.footnote || []).map((line) => h("p", { class: "muted footnote" }, line)),
  );
}
