// Job, deployment and container output with its ANSI colours kept (components/ansi.ts reads
// them). Plain DOM text, so the browser's find, select and copy work, and nothing needs an
// inline <style> (the CSP refuses those). Follows the end unless the reader scrolled up.
import { forwardRef, memo, useImperativeHandle, useLayoutEffect, useReducer, useRef, type CSSProperties } from "react";
import { AnsiScreen, defaultBackground, defaultForeground, type Line, type Style } from "./ansi";

export interface TerminalHandle {
  write: (text: string) => void;
  clear: () => void;
}

function cssOf(style: Style): CSSProperties | undefined {
  if (Object.keys(style).length === 0) return undefined;
  const fg = style.inverse ? (style.bg ?? defaultBackground) : style.fg;
  const bg = style.inverse ? (style.fg ?? defaultForeground) : style.bg;
  return {
    color: fg,
    backgroundColor: bg,
    fontWeight: style.bold ? 700 : undefined,
    opacity: style.dim ? 0.8 : undefined,
    fontStyle: style.italic ? "italic" : undefined,
    textDecoration: style.underline ? "underline" : undefined,
  };
}

/// One line; memoised on the line's array, which changes only while the line is open.
const OutputLine = memo(function OutputLine({ line }: { line: Line }) {
  if (line.length === 0) return <div>{"\u200b"}</div>;
  return (
    <div>
      {line.map((segment, i) => (
        <span key={i} style={cssOf(segment.style)}>
          {segment.text}
        </span>
      ))}
    </div>
  );
});

export const Terminal = forwardRef<TerminalHandle, { label: string; rows?: number }>(function Terminal({ label, rows = 24 }, ref) {
  const screen = useRef(new AnsiScreen());
  const box = useRef<HTMLDivElement>(null);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const frame = useRef(0);
  const follow = useRef(true);

  // Chunks arrive many to a frame: draw once per frame, not once per chunk.
  const scheduleRedraw = () => {
    if (frame.current) return;
    const element = box.current;
    follow.current = !element || element.scrollHeight - element.scrollTop - element.clientHeight < 24;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      redraw();
    });
  };

  useLayoutEffect(() => {
    const element = box.current;
    if (element && follow.current) element.scrollTop = element.scrollHeight;
  });
  useLayoutEffect(() => () => cancelAnimationFrame(frame.current), []);

  useImperativeHandle(ref, () => ({
    write(text: string) {
      screen.current.write(text);
      scheduleRedraw();
    },
    clear() {
      screen.current.clear();
      scheduleRedraw();
    },
  }));

  const lines = screen.current.lines();
  const dropped = screen.current.dropped;
  return (
    // Focusable so the keyboard can scroll it.
    <div className="terminal" ref={box} role="log" aria-label={label} tabIndex={0} style={{ height: `${rows * 1.5 + 1}em` }}>
      {dropped > 0 && <div className="terminal-note">{dropped.toLocaleString()} earlier lines not shown</div>}
      {lines.map((line, i) => (
        <OutputLine key={dropped + i} line={line} />
      ))}
    </div>
  );
});
