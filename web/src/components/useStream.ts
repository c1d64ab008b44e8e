// A live SSE stream tied to a component's life (see api/sse.ts for the resume rules). Returns
// the last error the stream met (a refusal such as 429 rate_limited, or a dropped connection
// being retried), cleared once the stream is open again, so the page can say why nothing arrives.
import { useEffect, useRef, useState } from "react";
import { ApiError } from "../api/errors";
import { session } from "../api/session";
import { openStream, type StreamEvent } from "../api/sse";

export function useStream(
  path: string | null,
  onEvent: (event: StreamEvent) => void,
  options: { isFinal?: (event: StreamEvent) => boolean; onEnd?: () => void } = {},
): unknown {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const opts = useRef(options);
  opts.current = options;
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setError(null);
    if (!path) return;
    return openStream(path, {
      onEvent: (event) => {
        setError(null);
        handler.current(event);
      },
      onOpen: () => setError(null),
      onError: (failure) => {
        // Like every other call: a 401 means the session ended under the page.
        if (failure instanceof ApiError && failure.status === 401) session.expired();
        setError(failure);
      },
      isFinal: (event) => opts.current.isFinal?.(event) ?? false,
      onEnd: () => opts.current.onEnd?.(),
    });
  }, [path]);
  return error;
}
