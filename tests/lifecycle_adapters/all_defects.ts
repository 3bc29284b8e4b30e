// An adapter carrying every lifecycle defect rtlint knows, each once.
export class EverythingWrongAdapter {
  private ws: WebSocket | null = null;
  private responseActive = false;
  private pendingResponse = false;

  constructor(private url: string) {}

  connect(): void {
    this.ws = new WebSocket(this.url);
    this.ws.onmessage = (message: MessageEvent) => this.receive(JSON.parse(String(message.data)));
  }

  close(): void {
    this.ws?.close();
  }

  requestResponse(): void {
    if (this.responseActive) {
      this.pendingResponse = true; // expect: RT002, RT007
      return;
    }
    this.ws?.send(JSON.stringify({ type: "response.create" }));
  }

  onToolResult(output: string): void {
    this.ws?.send(JSON.stringify({ type: "conversation.item.create", item: { output } }));
    if (this.responseActive) { // expect: RT006
      console.debug("busy: not answering this tool result");
      return;
    }
    this.ws?.send(JSON.stringify({ type: "response.create" }));
  }

  private receive(event: { type: string; response?: { status: string }; error?: { message: string } }): void {
    switch (event.type) {
      case "response.created":
        this.responseActive = true; // expect: RT003, RT004
        break;
      case "response.done":
        if (event.response?.status === "completed") {
          this.responseActive = false; // expect: RT004
        }
        if (this.pendingResponse) this.requestResponse();
        break;
      case "response.cancelled": // expect: RT005
        this.responseActive = false;
        break;
      case "error":
        throw new Error(event.error?.message); // expect: RT010
    }
  }
}
