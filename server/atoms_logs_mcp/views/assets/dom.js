"use strict";
// Building the page. Everything from a call is untrusted: it goes in as text nodes and attribute values,
// never as markup, so a transcript turn that holds <script> shows those characters and nothing runs.

function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function clear(element) {
  element.replaceChildren();
  return element;
}

function offset(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "?";
  const tenths = Math.round(Math.abs(seconds) * 10);
  const minutes = Math.floor(tenths / 600);
  const rest = ((tenths - minutes * 600) / 10).toFixed(1).padStart(4, "0");
  return (seconds < 0 ? "-" : "") + String(minutes).padStart(2, "0") + ":" + rest;
}

function millis(value) {
  return typeof value === "number" && Number.isFinite(value) ? Math.round(value).toLocaleString("en") + " ms" : "-";
}

function span(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "-";
  const sign = seconds < 0 ? "-" : "";
  const whole = Math.abs(seconds);
  if (whole < 59.95) return sign + whole.toFixed(1) + "s";
  const total = Math.round(whole);
  return sign + Math.floor(total / 60) + "m " + (total % 60) + "s";
}

function money(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "-";
  return "$" + value.toFixed(Math.abs(value) < 1 ? 4 : 2);
}

function token(value) {
  // A value used in a class name: letters, digits, _ and - only, so data cannot add or imitate a class.
  return String(value).replace(/[^A-Za-z0-9_-]/g, "");
}

function words(value) {
  return value === null || value === undefined ? "-" : String(value).replaceAll("_", " ");
}

function notice(root, text, kind) {
  clear(root).append(h("p", { class: "notice " + (kind || ""), role: "status" }, text));
}
