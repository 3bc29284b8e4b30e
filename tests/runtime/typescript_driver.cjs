// Runs the compiled TypeScript reference adapter (examples/typescript/realtime_adapter.ts)
// through one scenario against an emulator, for tests/runtime/test_typescript_adapter.py.
//
//   node typescript_driver.cjs ADAPTER_JS URL SCENARIO WIRE_LOG
//
// Node 20 has no global WebSocket: `ws` provides it, wrapped so that every event the
// adapter sends and receives is written to WIRE_LOG (received events before the
// adapter reacts to them). Prints a JSON summary of what the scenario observed.
"use strict";

const fs = require("node:fs");
const WebSocket = require("ws");

const [adapterJs, url, scenario, logPath] = process.argv.slice(2);
const started = process.hrtime.bigint();
const log = fs.openSync(logPath, "w");

function record(dir, event) {
  const t = Number(process.hrtime.bigint() - started) / 1e9;
  fs.writeSync(log, JSON.stringify({ t, dir, event }) + "\n");
}

class LoggedWebSocket extends WebSocket {
  constructor(address) {
    super(address);
    this.on("message", (data) => record("received", JSON.parse(String(data))));
  }

  send(data) {
    record("sent", JSON.parse(String(data)));
    super.send(data);
  }
}
globalThis.WebSocket = LoggedWebSocket;

const { RealtimeAdapter } = require(adapterJs);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, predicate, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const idle = (adapter) => adapter.state === "idle" && adapter.requested <= adapter.covered;

async function settle(adapter) {
  for (;;) {
    await waitFor("the adapter to be idle", () => idle(adapter));
    await sleep(150);
    if (idle(adapter)) return;
  }
}

const scenarios = {
  // Requests made while a response streams become one response.create after its done.
  async coalesce(adapter, seen) {
    await adapter.connect();
    adapter.sendText("first");
    await waitFor("response.created", () => seen.includes("response.created"));
    for (let i = 0; i < 5; i++) adapter.sendText(`meanwhile ${i}`);
    await settle(adapter);
    adapter.close();
    return {};
  },

  // Server VAD starts a response while the adapter's create is in flight: the create is
  // rejected, its request is pending again and is sent once that response is done.
  async rejection(adapter) {
    await adapter.connect();
    adapter.ws.send(JSON.stringify({ type: "input_audio_buffer.append", audio: process.env.SPEECH }));
    adapter.sendText("typed while the user stops speaking");
    await settle(adapter);
    adapter.close();
    return {};
  },

  // The connection drops mid-response with a request pending: the adapter resets, refuses
  // requests while disconnected, and starts afresh on the new connection.
  async reconnect(adapter, seen) {
    await adapter.connect();
    adapter.sendText("first");
    await waitFor("response.created", () => seen.includes("response.created"));
    adapter.sendText("while streaming");
    const pendingBeforeDrop = adapter.requested - adapter.covered;
    await waitFor("the connection to drop", () => adapter.ws === null);
    const afterDrop = { state: adapter.state, pending: adapter.requested - adapter.covered };
    let refused = false;
    try {
      adapter.requestResponse();
    } catch {
      refused = true;
    }
    await adapter.connect();
    adapter.sendText("again");
    await settle(adapter);
    adapter.close();
    return { pendingBeforeDrop, afterDrop, refused, closed: adapter.state };
  },
};

async function main() {
  const seen = [];
  const adapter = new RealtimeAdapter(url, (event) => seen.push(event.type));
  const summary = await scenarios[scenario](adapter, seen);
  process.stdout.write(JSON.stringify(summary) + "\n");
  fs.closeSync(log);
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
