// Job, deployment and container output, ANSI colours kept (xterm.js). Follows the end unless
// the reader scrolled up. Loaded lazily: pages without output do not pay for it.
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";
import { Terminal as XTerm } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";

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
  const pending = useRef<string[]>([]);

  useEffect(() => {
    if (!host.current) return;
    const xterm = new XTerm({
      convertEol: true,
      disableStdin: true,
      scrollback: 20000,
      rows,
      fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace",
      fontSize: 12,
      theme: { background: "#0b0d12" },
      screenReaderMode: false,
    });
    xterm.open(host.current);
    term.current = xterm;
    for (const text of pending.current) xterm.write(text);
    pending.current = [];
    const resize = () => {
      const width = host.current?.clientWidth ?? 0;
      const cell = 7.2;
      if (width > 0) xterm.resize(Math.max(20, Math.floor((width - 16) / cell)), rows);
    };
    resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      xterm.dispose();
      term.current = null;
    };
  }, [rows]);

  useImperativeHandle(ref, () => ({
    write(text: string) {
      const xterm = term.current;
      if (!xterm) {
        pending.current.push(text);
        return;
      }
      const buffer = xterm.buffer.active;
      const atEnd = buffer.viewportY >= buffer.baseY;
      xterm.write(text, () => {
        if (atEnd) xterm.scrollToBottom();
      });
    },
    clear() {
      term.current?.reset();
      pending.current = [];
    },
  }));

  return <div className="terminal" ref={host} role="log" aria-label={label} />;
});
