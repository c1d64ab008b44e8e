// Server-Sent Events from berthd (deployment events, job output, server events, logs).
// Read with fetch rather than EventSource so the request carries X-Team-ID like every other
// call, and so a dropped connection resumes explicitly: the next request sends the id of the
// last event seen as Last-Event-ID, and berthd replays what was missed.
import { toApiError } from "./errors";
import { apiHeaders } from "./session";

export interface StreamEvent {
  id: string | null;
  event: string;
  data: string;
}

export interface StreamOptions {
  onEvent: (event: StreamEvent) => void;
  /// True for the event after which berthd closes the stream (a finished deployment or job).
  /// A stream that closes without one was dropped, and is resumed.
  isFinal?: (event: StreamEvent) => boolean;
  /// Called once the final event has arrived and the stream has closed.
  onEnd?: () => void;
  onError?: (error: unknown) => void;
  /// Called each time berthd accepts the stream (again, after a reconnect).
  onOpen?: () => void;
  /// Resume after this id (e.g. the last event already on screen).
  lastEventId?: string | null;
  /// Reconnect after a dropped connection (default true), after this many ms.
  reconnect?: boolean;
  retryMs?: number;
  fetchImpl?: typeof fetch;
}

/// Parses SSE text incrementally: feed chunks, get complete events.
export class SseParser {
  private buffer = "";
  private id: string | null = null;
  private event = "";
  private data: string[] = [];

  constructor(private readonly emit: (event: StreamEvent) => void) {}

  feed(chunk: string) {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      this.line(line);
    }
  }

  private line(line: string) {
    if (line === "") {
      if (this.data.length > 0 || this.event) {
        this.emit({ id: this.id, event: this.event || "message", data: this.data.join("\n") });
      }
      this.event = "";
      this.data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
  }
}

/// Opens a stream; returns a function that closes it.
export function openStream(path: string, options: StreamOptions): () => void {
  const controller = new AbortController();
  const doFetch = options.fetchImpl ?? fetch;
  let lastId = options.lastEventId ?? null;
  let closed = false;
  let finished = false;

  const run = async () => {
    while (!closed) {
      const headers: Record<string, string> = { Accept: "text/event-stream", ...apiHeaders("GET") };
      if (lastId) headers["Last-Event-ID"] = lastId;
      try {
        const response = await doFetch(path, {
          headers,
          credentials: "same-origin",
          signal: controller.signal,
        });
        if (!response.ok || !response.body) {
          let body: unknown = null;
          try {
            body = await response.json();
          } catch {
            body = null;
          }
          options.onError?.(toApiError(response.status, body));
          if (response.status >= 400 && response.status < 500) return; // no point retrying
        } else {
          options.onOpen?.();
          const parser = new SseParser((event) => {
            if (event.id) lastId = event.id;
            if (options.isFinal?.(event)) finished = true;
            options.onEvent(event);
          });
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            parser.feed(value);
          }
          if (finished) {
            options.onEnd?.();
            return;
          }
        }
      } catch (error) {
        if (closed) return;
        options.onError?.(error);
      }
      if (options.reconnect === false) return;
      await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 1000));
    }
  };
  void run();
  return () => {
    closed = true;
    controller.abort();
  };
}
