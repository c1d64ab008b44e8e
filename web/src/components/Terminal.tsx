// Job, deployment and container output, ANSI colours kept (xterm.js). Follows the end unless
// the reader scrolled up. Loaded lazily: pages without output do not pay for it.
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";
import { Terminal as XTerm } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";

/// Characters kept for replay after a remount (about what 20,000 lines of scrollback hold).
const kTranscriptLimit = 2_000_000;

export interface TerminalHandle {
  write: (text: string) => void;
  clear: () => void;
}

export const Terminal = forwardRef<TerminalHandle, { label: string; rows?: number }>(function Terminal(
  { label, rows = 24 },
  ref,
) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<XTerm | null>(null);
  // Everything written so far, replayed into each new xterm: a remount (StrictMode in
  // development, a changed row count) must not lose output that arrived before it. Bounded
  // like the scrollback so a long follow cannot grow without end.
  const transcript = useRef<string[]>([]);
  const transcriptSize = useRef(0);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    let disposed = false;
    const xterm = new XTerm({
      convertEol: true,
      disableStdin: true,
      scrollback: 20000,
      rows,
      fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace",
      fontSize: 12,
      theme: { background: "#0b0d12", foreground: "#e6e8ee" },
      screenReaderMode: false,
    });
    xterm.open(element);
    term.current = xterm;
    for (const text of transcript.current) xterm.write(text);
    // xterm measures its cells on the first render; resizing before that (or after dispose)
    // throws "reading 'dimensions'", so the fit waits a frame and checks it is still alive.
    let frame = 0;
    const resize = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (disposed) return;
        const width = element.clientWidth;
        const cell = 7.2;
        if (width > 0) xterm.resize(Math.max(20, Math.floor((width - 16) / cell)), rows);
      });
    };
    resize();
    window.addEventListener("resize", resize);
    return () => {
      disposed = true;
      cancelAnimationFrame(frame);
      window.removeEventListener("resize", resize);
      term.current = null;
      xterm.dispose();
    };
  }, [rows]);

  useImperativeHandle(ref, () => ({
    write(text: string) {
      transcript.current.push(text);
      transcriptSize.current += text.length;
      while (transcriptSize.current > kTranscriptLimit && transcript.current.length > 1) {
        transcriptSize.current -= transcript.current.shift()!.length;
      }
      const xterm = term.current;
      if (!xterm) return;
      const buffer = xterm.buffer.active;
      const atEnd = buffer.viewportY >= buffer.baseY;
      xterm.write(text, () => {
        if (atEnd && term.current === xterm) xterm.scrollToBottom();
      });
    },
    clear() {
      transcript.current = [];
      transcriptSize.current = 0;
      term.current?.reset();
    },
  }));

  return <div className="terminal" ref={host} role="log" aria-label={label} />;
});
