"use strict";
// The view's side of MCP Apps (io.modelcontextprotocol/ui): JSON-RPC 2.0 over postMessage with the host.
// A small bridge instead of the npm client library: the views use a handful of messages (ui/initialize and
// initialized, tool-input, tool-cancelled, host-context-changed, tools/call, ui/message, size-changed, and the
// host's teardown and ping), and this keeps each document self-contained and readable without a build step.
// tool-result is not read: the views draw the JSON of their app-only data tools, not the model's text.

const PROTOCOL_VERSION = "2026-01-26";

function createBridge(appInfo) {
  const pending = new Map();
  const handlers = new Map();
  const host = { capabilities: {}, context: {} };
  let nextId = 1;

  function post(message) {
    window.parent.postMessage(Object.assign({ jsonrpc: "2.0" }, message), "*");
  }

  function request(method, params) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      post({ id, method, params });
    });
  }

  function answerHost(message) {
    // The host may ask before tearing the view down, or ping it; nothing else is served here.
    if (message.method === "ui/resource-teardown" || message.method === "ping") {
      post({ id: message.id, result: {} });
    } else {
      post({ id: message.id, error: { code: -32601, message: "Method not found" } });
    }
  }

  window.addEventListener("message", (event) => {
    const message = event.data;
    if (event.source !== window.parent || !message || message.jsonrpc !== "2.0") return;
    if (message.method === undefined) {
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      if (message.error) waiting.reject(new Error(String(message.error.message || "the host refused")));
      else waiting.resolve(message.result || {});
    } else if (message.id !== undefined) {
      answerHost(message);
    } else if (handlers.has(message.method)) {
      handlers.get(message.method)(message.params || {});
    }
  });

  function applyContext(context) {
    Object.assign(host.context, context);
    const root = document.documentElement;
    if (context.theme === "light" || context.theme === "dark") {
      root.dataset.theme = context.theme;
      root.style.colorScheme = context.theme;
    }
    const variables = (context.styles && context.styles.variables) || {};
    for (const [name, value] of Object.entries(variables)) {
      if (name.startsWith("--") && typeof value === "string") root.style.setProperty(name, value);
    }
  }

  function reportSize() {
    // The body's own box plus its margins: the document's scroll size never drops below the frame's, so a view
    // measured by it could grow but never shrink.
    let last = "";
    const observer = new ResizeObserver(() => {
      const style = getComputedStyle(document.body);
      const box = document.body.getBoundingClientRect();
      const width = Math.ceil(box.width + parseFloat(style.marginLeft) + parseFloat(style.marginRight));
      const height = Math.ceil(box.height + parseFloat(style.marginTop) + parseFloat(style.marginBottom));
      const size = width + "x" + height;
      if (size === last) return;
      last = size;
      post({ method: "ui/notifications/size-changed", params: { width, height } });
    });
    observer.observe(document.body);
  }

  return {
    host,
    on(method, handler) {
      handlers.set(method, handler);
    },
    async callTool(name, args) {
      const result = await request("tools/call", { name, arguments: args });
      const text = (result.content || []).map((block) => block.text || "").join("\n");
      if (result.isError) throw new Error(text || "the tool failed");
      if (result.structuredContent) return result.structuredContent;
      return JSON.parse(text);
    },
    async sendMessage(text) {
      const result = await request("ui/message", { role: "user", content: [{ type: "text", text }] });
      if (result.isError) throw new Error("the host did not add the message");
    },
    async connect() {
      handlers.set("ui/notifications/host-context-changed", applyContext);
      const result = await request("ui/initialize", {
        protocolVersion: PROTOCOL_VERSION,
        appInfo,
        appCapabilities: { availableDisplayModes: ["inline"] },
      });
      host.capabilities = result.hostCapabilities || {};
      applyContext(result.hostContext || {});
      post({ method: "ui/notifications/initialized", params: {} });
      reportSize();
    },
  };
}
