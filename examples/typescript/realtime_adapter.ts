/**
 * The reference pattern for an OpenAI Realtime client, in TypeScript.
 *
 * The same design as rtlint's Python reference adapter (rtlint/runtime/adapter.py):
 *
 * 1. One slot, explicit states: `ResponseState` says whether the default
 *    conversation's single response slot is free (Idle), reserved by our own
 *    `response.create` (Requested), held by a response we saw start (Active),
 *    or whether we are shutting down (Closing).
 * 2. Reserve on send: `flush()` is the only place that sends `response.create`;
 *    it returns early unless the slot is Idle and moves to Requested before sending.
 * 3. Clear on every `response.done` (there is no `response.cancelled` event),
 *    whatever its status, but only the one whose id holds the slot; then flush.
 * 4. Defer and coalesce: `requestResponse()` only counts the request and calls
 *    `flush()`. Requests made while the slot is taken become one `response.create`
 *    when it frees, which covers every item added meanwhile. A rejection of our
 *    own create (`conversation_already_has_active_response`, e.g. a server-VAD
 *    response got there first) makes its requests pending again.
 * 5. Reset on close: a new socket is a new conversation.
 *
 * Out-of-band responses (`conversation_id: null`) never touch the slot.
 * The test suite lints this file, and compiles it with `tsc --strict` and runs it
 * against `rtlint emulate` (tests/runtime/test_typescript_adapter.py).
 */

type ServerEvent = { type: string; [key: string]: unknown };
type ResponseObject = { id?: string; conversation_id?: string | null; metadata?: Record<string, unknown> | null };

export enum ResponseState {
  Idle = "idle",
  Requested = "requested",
  Active = "active",
  Closing = "closing",
}

const TAG = "rtlint_request";
const ACTIVE_RESPONSE = "conversation_already_has_active_response";

export class RealtimeAdapter {
  private ws: WebSocket | null = null;
  private state: ResponseState = ResponseState.Idle;
  private activeId: string | null = null;
  private createId: string | null = null;
  private createFloor = 0;
  private requested = 0;
  private covered = 0;
  private nextId = 1;

  constructor(
    private readonly url: string,
    private readonly onEvent: (event: ServerEvent) => void = () => {},
  ) {}

  /** Open the socket; resolves on `session.created`. */
  connect(): Promise<void> {
    this.reset(ResponseState.Idle);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      ws.onmessage = (message: MessageEvent) => {
        const event = JSON.parse(String(message.data)) as ServerEvent;
        this.receive(event);
        if (event.type === "session.created") resolve();
      };
      ws.onerror = () => reject(new Error("connection failed"));
      ws.onclose = () => {
        if (this.ws === ws) {
          this.ws = null;
          this.reset(ResponseState.Idle);
        }
      };
      this.ws = ws;
    });
  }

  /** Close the socket and forget every response. */
  close(): void {
    const ws = this.ws;
    this.ws = null;
    this.reset(ResponseState.Closing);
    ws?.close();
  }

  /** Add a user text message; with `respond`, request a response to it. */
  sendText(text: string, respond = true): void {
    const item = { type: "message", role: "user", content: [{ type: "input_text", text }] };
    this.send({ type: "conversation.item.create", item });
    if (respond) this.requestResponse();
  }

  /** Ask for a response covering everything sent so far; deferred while the slot is taken. */
  requestResponse(): void {
    if (this.ws === null) throw new Error("not connected");
    this.requested += 1;
    this.flush();
  }

  /** Cancel the active response; false when none is active. The slot stays taken until its done. */
  cancelResponse(): boolean {
    if (this.state !== ResponseState.Active || this.activeId === null) return false;
    this.send({ type: "response.cancel", response_id: this.activeId });
    return true;
  }

  /** The only send site of `response.create`; runs after every request and every `response.done`. */
  private flush(): void {
    if (this.state !== ResponseState.Idle) return; // requested, active or closing: response.done runs this again
    if (this.requested <= this.covered) return; // every request is covered already
    const eventId = `evt_${this.nextId++}`;
    this.state = ResponseState.Requested;
    this.createId = eventId;
    this.createFloor = this.covered;
    this.covered = this.requested;
    try {
      this.send({ type: "response.create", event_id: eventId, response: { metadata: { [TAG]: eventId } } });
    } catch (error) {
      if (this.createId === eventId) {
        this.state = ResponseState.Idle; // not sent: give the reservation back
        this.createId = null;
        this.covered = this.createFloor;
      }
      throw error;
    }
  }

  private receive(event: ServerEvent): void {
    switch (event.type) {
      case "response.created":
        this.onCreated(event.response as ResponseObject);
        break;
      case "response.done":
        this.onDone(event.response as ResponseObject);
        this.flush();
        break;
      case "error":
        this.onError(event.error as { code?: string | null; message?: string; event_id?: string | null });
        break;
    }
    this.onEvent(event);
  }

  private onCreated(response: ResponseObject): void {
    if (response.conversation_id === null || this.state === ResponseState.Closing) return; // out-of-band
    const metadata = "metadata" in response ? (response.metadata ?? {}) : { [TAG]: this.createId };
    if (this.createId !== null && metadata[TAG] === this.createId) this.createId = null;
    this.activeId = String(response.id);
    this.state = ResponseState.Active;
  }

  private onDone(response: ResponseObject): void {
    if (this.state !== ResponseState.Active || response.id !== this.activeId) return; // not the slot's
    this.activeId = null;
    this.state = this.createId === null ? ResponseState.Idle : ResponseState.Requested;
  }

  private onError(error: { code?: string | null; message?: string; event_id?: string | null }): void {
    const code = error.code ?? (error.message?.startsWith("Conversation already has an active response") ? ACTIVE_RESPONSE : null);
    if (code !== ACTIVE_RESPONSE || this.createId === null) return; // other errors leave the slot alone
    if (error.event_id && error.event_id !== this.createId) return;
    this.covered = this.createFloor; // our create was rejected: its requests are pending again
    this.createId = null;
    this.state = this.activeId === null ? ResponseState.Idle : ResponseState.Active;
  }

  private reset(state: ResponseState): void {
    this.state = state;
    this.activeId = null;
    this.createId = null;
    this.createFloor = 0;
    this.requested = 0;
    this.covered = 0;
  }

  private send(event: Record<string, unknown>): void {
    if (this.ws === null) throw new Error("not connected");
    event.event_id ??= `evt_${this.nextId++}`;
    this.ws.send(JSON.stringify(event));
  }
}
