import { describe, expect, it, vi } from "vitest";
import { openStream, SseParser, type StreamEvent } from "./sse";

function streamOf(text: string, fail = false): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(bytes);
      } else if (fail) controller.error(new TypeError("network connection lost"));
      else controller.close();
    },
  });
}

describe("SseParser", () => {
  it("assembles events across chunk boundaries and CRLF", () => {
    const events: StreamEvent[] = [];
    const parser = new SseParser((e) => events.push(e));
    parser.feed("id: 7\r\nevent: step\r\ndata: {\"a\"");
    parser.feed(":1}\r\n\r\n: keep-alive\n\ndata: one\ndata: two\n\n");
    expect(events).toEqual([
      { id: "7", event: "step", data: '{"a":1}' },
      { id: "7", event: "message", data: "one\ntwo" },
    ]);
  });
});

describe("openStream", () => {
  it("resumes a dropped stream with Last-Event-ID and stops after the final event", async () => {
    const requests: (string | null)[] = [];
    const bodies = [
      streamOf("id: 1\nevent: output\ndata: a\n\nid: 2\nevent: output\ndata: b\n\n", true),
      streamOf("id: 3\nevent: finished\ndata: {}\n\n"),
    ];
    const fetchImpl = vi.fn(async (_path: RequestInfo | URL, init?: RequestInit) => {
      requests.push(new Headers(init?.headers).get("Last-Event-ID"));
      return new Response(bodies.shift()!, { status: 200, headers: { "Content-Type": "text/event-stream" } });
    });
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      openStream("/api/v1/deployments/dep_1/events", {
        fetchImpl: fetchImpl as unknown as typeof fetch,
        retryMs: 1,
        onOpen: () => seen.push("open"),
        onError: () => seen.push("dropped"),
        onEvent: (e) => seen.push(`${e.id}:${e.event}`),
        isFinal: (e) => e.event === "finished",
        onEnd: resolve,
      });
    });
    expect(seen).toEqual(["open", "1:output", "2:output", "dropped", "open", "3:finished"]);
    expect(requests).toEqual([null, "2"]);
  });

  it("reports the API's error envelope and does not retry a 4xx", async () => {
    const fetchImpl = vi.fn(async () =>
      new Response(JSON.stringify({ error: { code: "not_found", message: "no such job", details: {} } }), {
        status: 404,
        headers: { "Content-Type": "application/json" },
      }),
    );
    const error = await new Promise<unknown>((resolve) => {
      openStream("/api/v1/jobs/job_x/output", { fetchImpl: fetchImpl as unknown as typeof fetch, retryMs: 1, onEvent: () => {}, onError: resolve });
    });
    expect(error).toMatchObject({ status: 404, code: "not_found", message: "no such job" });
    await new Promise((r) => setTimeout(r, 20));
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });
});
