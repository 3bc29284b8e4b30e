"""Generated adapter modules for the benchmark: Python and a TypeScript twin, any length.

Every class is a small realtime adapter (a flag set when a response starts and cleared
on ``response.done``, a guarded send, an unguarded one, a deferral helper, plain
methods), so the whole file is relevant to the analysis, as in the worst real case.
"""

from __future__ import annotations

PYTHON_CLASS = '''
class Adapter{i}:
    """Adapter number {i}."""

    def __init__(self, ws):
        self.ws = ws
        self._response_active = False
        self._response_requested = False
        self.items = []

    async def on_event(self, event):
        kind = event["type"]
        if kind == "response.created":
            self._response_active = True
        elif kind == "response.done":
            self._response_active = False
            if self._response_requested:
                self._response_requested = False
                await self._request_response()

    async def _request_response(self):
        if self._response_active:
            self._response_requested = True
            return
        self._response_active = True
        await self.ws.send(json.dumps({{"type": "response.create"}}))

    async def send_text(self, text):
        self.items.append(text)
        await self.ws.send(json.dumps({{"type": "conversation.item.create", "text": text}}))
        await self._request_response()

    async def tool_result(self, output):
        payload = {{"type": "conversation.item.create", "output": str(output)}}
        await self.ws.send(json.dumps(payload))
        await self.ws.send(json.dumps({{"type": "response.create"}}))

    def describe(self, verbose=False):
        parts = [f"{{name}}={{value}}" for name, value in vars(self).items()]
        return ", ".join(parts) if verbose else str(len(parts))
'''

TYPESCRIPT_CLASS = """
/** Adapter number {i}. */
class Adapter{i} {{
  private responseActive = false;
  private responseRequested = false;
  private items: string[] = [];

  constructor(private ws: WebSocket) {{}}

  async onEvent(event: {{ type: string }}): Promise<void> {{
    const kind = event.type;
    if (kind === "response.created") {{
      this.responseActive = true;
    }} else if (kind === "response.done") {{
      this.responseActive = false;
      if (this.responseRequested) {{
        this.responseRequested = false;
        await this.requestResponse();
      }}
    }}
  }}

  private async requestResponse(): Promise<void> {{
    if (this.responseActive) {{
      this.responseRequested = true;
      return;
    }}
    this.responseActive = true;
    this.ws.send(JSON.stringify({{ type: "response.create" }}));
  }}

  async sendText(text: string): Promise<void> {{
    this.items.push(text);
    this.ws.send(JSON.stringify({{ type: "conversation.item.create", text }}));
    await this.requestResponse();
  }}

  async toolResult(output: unknown): Promise<void> {{
    const payload = {{ type: "conversation.item.create", output: String(output) }};
    this.ws.send(JSON.stringify(payload));
    this.ws.send(JSON.stringify({{ type: "response.create" }}));
  }}

  describe(verbose = false): string {{
    const parts = Object.entries(this).map(([name, value]) => `${{name}}=${{value}}`);
    return verbose ? parts.join(", ") : String(parts.length);
  }}
}}
"""


def adapter_module(lines: int, language: str) -> str:
    """A module of adapter classes, about ``lines`` long."""
    template = PYTHON_CLASS if language == "python" else TYPESCRIPT_CLASS
    head = "import json\n" if language == "python" else ""
    per_class = template.count("\n")
    return head + "".join(template.format(i=i) for i in range(max(1, lines // per_class)))
