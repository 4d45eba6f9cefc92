"use strict";
// What both views do with the host: connect, then draw each tool input the host sends (the newest one wins and a
// cancellation stops it), or say plainly why they cannot.

const NO_SERVER_TOOLS = "This host does not let views call the server's tools: the text answer has everything.";

function startView(name, read, draw) {
  const root = document.getElementById("app");
  const bridge = createBridge({ name, version: "1" });
  let current = 0; // the tool input being drawn; a cancellation or a newer input makes older answers stale
  bridge.on("ui/notifications/tool-input", async (params) => {
    const mine = ++current;
    if (!bridge.host.capabilities.serverTools) return notice(root, NO_SERVER_TOOLS);
    notice(root, "Reading…");
    try {
      const data = await read(bridge, params.arguments || {});
      if (mine === current) draw(root, bridge, data);
    } catch (error) {
      if (mine === current) notice(root, "This could not be shown: " + error.message, "error");
    }
  });
  bridge.on("ui/notifications/tool-cancelled", () => {
    current++;
    notice(root, "The tool call was cancelled.");
  });
  bridge.connect().catch((error) => notice(root, "The host did not answer: " + error.message, "error"));
}
