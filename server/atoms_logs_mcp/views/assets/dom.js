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
  if (seconds === null || seconds === undefined) return "?";
  const sign = seconds < 0 ? "-" : "";
  const whole = Math.abs(seconds);
  const minutes = Math.floor(whole / 60);
  const rest = (whole - minutes * 60).toFixed(1).padStart(4, "0");
  return sign + String(minutes).padStart(2, "0") + ":" + rest;
}

function millis(value) {
  return value === null || value === undefined ? "-" : Math.round(value).toLocaleString("en") + " ms";
}

function span(seconds) {
  if (seconds === null || seconds === undefined) return "-";
  const minutes = Math.floor(seconds / 60);
  return minutes ? minutes + "m " + Math.round(seconds % 60) + "s" : seconds.toFixed(1) + "s";
}

function money(value) {
  return value === null || value === undefined ? "-" : "$" + value.toFixed(value < 1 ? 4 : 2);
}

function words(value) {
  return value === null || value === undefined ? "-" : String(value).replaceAll("_", " ");
}

function notice(root, text, kind) {
  clear(root).append(h("p", { class: "notice " + (kind || ""), role: "status" }, text));
}
