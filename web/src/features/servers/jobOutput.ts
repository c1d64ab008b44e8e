// A job's output stream (GET /jobs/{id}/output): `output` events {seq, stream, text, at} with
// id = seq, then one `done` event holding the finished job; the stream then closes. A dropped
// connection resumes after the last seq (Last-Event-ID, done by api/sse.ts).
import { useEffect, useRef, useState } from "react";
import { openStream, type StreamEvent } from "../../api/sse";
import { ApiError } from "../../api/errors";
import type { Job } from "./types";

export interface OutputChunk {
  seq: number;
  stream: string;
  text: string;
}

export type OutputUpdate = { type: "chunk"; chunk: OutputChunk } | { type: "done"; job: Job } | { type: "ignored" };

export function readOutputEvent(event: StreamEvent): OutputUpdate {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    return { type: "ignored" };
  }
  if (typeof data !== "object" || data === null) return { type: "ignored" };
  if (event.event === "done") return { type: "done", job: data as Job };
  if (event.event !== "output") return { type: "ignored" };
  const raw = data as Partial<OutputChunk>;
  if (typeof raw.text !== "string") return { type: "ignored" };
  return { type: "chunk", chunk: { seq: Number(raw.seq ?? event.id ?? 0), stream: raw.stream ?? "stdout", text: raw.text } };
}

export type OutputState = "connecting" | "streaming" | "reconnecting" | "ended" | "failed";

/// Streams a job's output into `write`; says how the stream is doing, and the error that stopped it.
export function useJobOutput(jobId: string, write: (chunk: OutputChunk) => void, onDone: (job: Job) => void) {
  const [state, setState] = useState<OutputState>("connecting");
  const [error, setError] = useState<unknown>(null);
  const handlers = useRef({ write, onDone });
  handlers.current = { write, onDone };
  useEffect(() => {
    setState("connecting");
    setError(null);
    let lastSeq = 0;
    return openStream(`/api/v1/jobs/${encodeURIComponent(jobId)}/output`, {
      onEvent: (event) => {
        const update = readOutputEvent(event);
        if (update.type === "chunk") {
          if (update.chunk.seq > 0 && update.chunk.seq <= lastSeq) return; // replayed after a resume
          lastSeq = update.chunk.seq;
          setState("streaming");
          handlers.current.write(update.chunk);
        } else if (update.type === "done") {
          handlers.current.onDone(update.job);
        }
      },
      isFinal: (event) => event.event === "done",
      onEnd: () => setState("ended"),
      onError: (failure) => {
        setError(failure);
        // A 4xx (not allowed to read it, no such job) is final; anything else is retried.
        const final = failure instanceof ApiError && failure.status >= 400 && failure.status < 500;
        setState(final ? "failed" : "reconnecting");
      },
    });
  }, [jobId]);
  return { state, error };
}
