// Runs a generated TypeScript adapter class (JS-compatible syntax) for tests/differential.py.
//
//   node differential_runner.mjs ADAPTER_MODULE URL
//
// The class gets a socket that records what it sends. Every event sent or received is written
// to stdout as a JSON line with a clock; commands arrive on stdin as JSON lines:
// {"do": "text"|"tool", "i": N}, {"do": "append", "event": "..."}, {"do": "close"}.
// The `ws` package is resolved from RTLINT_NODE_MODULES (a node_modules directory).
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const require = createRequire(process.env.RTLINT_NODE_MODULES + "/");
const { WebSocket } = require("ws");
const { Adapter } = await import(pathToFileURL(process.argv[2]).href);

let clock = 0;
const out = (record) => process.stdout.write(JSON.stringify(record) + "\n");
const ws = new WebSocket(process.argv[3]);
const socket = {
  send(message) {
    out({ clock: ++clock, sent: JSON.parse(message) });
    ws.send(message);
  },
};
const adapter = new Adapter(socket);

ws.on("message", (data) => {
  const event = JSON.parse(data.toString());
  out({ clock: ++clock, received: event });
  adapter.onEvent(event);
  out({ processed: true });
});
ws.on("close", () => process.exit(0));

createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  if (command.do === "close") {
    ws.close();
    return;
  }
  if (command.do === "append") {
    socket.send(command.event);
  } else {
    out({ request: clock });
    if (command.do === "text") adapter.sendText(`turn ${command.i}`);
    else adapter.sendToolResult(`call_${command.i}`, `result ${command.i}`);
  }
  out({ done: true });
});
