// A live SSE stream tied to a component's life (see api/sse.ts for the resume rules).
import { useEffect, useRef } from "react";
import { openStream, type StreamEvent } from "../api/sse";

export function useStream(
  path: string | null,
  onEvent: (event: StreamEvent) => void,
  options: { isFinal?: (event: StreamEvent) => boolean; onEnd?: () => void } = {},
) {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const opts = useRef(options);
  opts.current = options;
  useEffect(() => {
    if (!path) return;
    return openStream(path, {
      onEvent: (event) => handler.current(event),
      isFinal: (event) => opts.current.isFinal?.(event) ?? false,
      onEnd: () => opts.current.onEnd?.(),
    });
  }, [path]);
}
