// Job, deployment and container output as styled lines: a streaming reader of the ANSI escape
// codes programs write to a terminal. Written here rather than taken from npm because the
// packaged converters either return HTML strings (which the page would have to inject) or
// parse each string on its own, while output arrives in chunks that split escape sequences
// and carry colours from one chunk to the next. What it does: SGR colours (16, 256 and
// 24-bit) and bold/dim/italic/underline/inverse; "\r" rewrites the current line (progress
// bars); every other control sequence (cursor moves, OSC titles) is dropped.

export interface Style {
  readonly fg?: string;
  readonly bg?: string;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly italic?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
}

export interface Segment {
  readonly text: string;
  readonly style: Style;
}

export type Line = readonly Segment[];

/// Colours 0–15, chosen for the dark output background (#0b0d12): each of them, black
/// included, is readable on it (WCAG AA), since output is to be read, not to look like a tty.
const palette = [
  "#8b949e", "#ff7b72", "#56d364", "#e3b341", "#79c0ff", "#d2a8ff", "#76e3ea", "#e6e8ee",
  "#a0a8b4", "#ffa198", "#7ee787", "#f2cc60", "#a5d6ff", "#e2c5ff", "#b3f0ff", "#ffffff",
];
export const defaultForeground = "#e6e8ee";
export const defaultBackground = "#0b0d12";

function hex(value: number) {
  return value.toString(16).padStart(2, "0");
}

/// xterm's 256-colour table: the 16 above, a 6×6×6 cube, then 24 greys.
export function colour256(index: number): string | undefined {
  if (!Number.isInteger(index) || index < 0 || index > 255) return undefined;
  if (index < 16) return palette[index];
  if (index >= 232) {
    const grey = 8 + (index - 232) * 10;
    return `#${hex(grey)}${hex(grey)}${hex(grey)}`;
  }
  const cube = index - 16;
  const level = (n: number) => (n === 0 ? 0 : 55 + n * 40);
  return `#${hex(level(Math.floor(cube / 36)))}${hex(level(Math.floor(cube / 6) % 6))}${hex(level(cube % 6))}`;
}

/// Reads `38;5;n` / `38;2;r;g;b` (or 48;…) starting at params[at]; returns the colour and how
/// many parameters it used after the 38/48.
function extendedColour(params: number[], at: number): [string | undefined, number] {
  if (params[at] === 5) return [colour256(params[at + 1] ?? -1), 2];
  if (params[at] === 2) {
    const [r, g, b] = [params[at + 1], params[at + 2], params[at + 3]];
    const valid = [r, g, b].every((c) => c !== undefined && c >= 0 && c <= 255);
    return [valid ? `#${hex(r!)}${hex(g!)}${hex(b!)}` : undefined, 4];
  }
  return [undefined, 0];
}

export function applySgr(style: Style, params: number[]): Style {
  if (params.length === 0) return {};
  let next: { -readonly [K in keyof Style]: Style[K] } = { ...style };
  for (let i = 0; i < params.length; i++) {
    const code = params[i]!;
    if (code === 0) next = {};
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = true;
    else if (code === 7) next.inverse = true;
    else if (code === 22) next.bold = next.dim = undefined;
    else if (code === 23) next.italic = undefined;
    else if (code === 24) next.underline = undefined;
    else if (code === 27) next.inverse = undefined;
    else if (code >= 30 && code <= 37) next.fg = palette[code - 30];
    else if (code >= 90 && code <= 97) next.fg = palette[code - 90 + 8];
    else if (code === 39) next.fg = undefined;
    else if (code >= 40 && code <= 47) next.bg = palette[code - 40];
    else if (code >= 100 && code <= 107) next.bg = palette[code - 100 + 8];
    else if (code === 49) next.bg = undefined;
    else if (code === 38 || code === 48) {
      const [colour, used] = extendedColour(params, i + 1);
      if (code === 38) next.fg = colour;
      else next.bg = colour;
      i += used;
    }
  }
  for (const key of Object.keys(next) as (keyof Style)[]) if (next[key] === undefined) delete next[key];
  return next;
}

/// Longer than any real sequence: an ESC without its end this far on is not waited for.
const kLongestSequence = 256;

/// Output so far, as lines of styled segments; the last line is still open. Keeps the last
/// `maxLines` lines and counts the ones it let go.
export class AnsiScreen {
  private done: Line[] = [];
  private current: Segment[] = [];
  private style: Style = {};
  private partial = ""; // an escape sequence cut off at the end of a chunk
  private rewrite = false; // a "\r" was seen: the next text starts the line over
  dropped = 0;

  constructor(private readonly maxLines = 10_000) {}

  lines(): Line[] {
    return this.current.length > 0 ? [...this.done, this.current] : this.done;
  }

  write(chunk: string) {
    const text = this.partial + chunk;
    this.partial = "";
    let plain = "";
    const flush = () => {
      if (!plain) return;
      if (this.rewrite) {
        this.current = [];
        this.rewrite = false;
      }
      // A new array each time: the view redraws a line when its array changes.
      const last = this.current[this.current.length - 1];
      this.current =
        last && last.style === this.style
          ? [...this.current.slice(0, -1), { text: last.text + plain, style: this.style }]
          : [...this.current, { text: plain, style: this.style }];
      plain = "";
    };
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === "\x1b") {
        const end = sequenceEnd(text, i);
        if (end === -1 && text.length - i <= kLongestSequence) {
          flush();
          this.partial = text.slice(i);
          return;
        }
        if (end === -1) continue; // not a sequence after all: drop the ESC, keep the text
        if (text[i + 1] === "[" && text[end] === "m") {
          flush();
          const params = text.slice(i + 2, end).split(/[;:]/).filter((p) => p !== "").map(Number);
          this.style = applySgr(this.style, params.some(Number.isNaN) ? [] : params);
        }
        i = end;
      } else if (ch === "\n") {
        flush();
        this.rewrite = false;
        this.newLine();
      } else if (ch === "\r") {
        flush();
        if (text[i + 1] !== "\n") this.rewrite = true;
      } else if (ch === "\t" || ch >= " ") {
        plain += ch;
      }
    }
    flush();
  }

  clear() {
    this.done = [];
    this.current = [];
    this.style = {};
    this.partial = "";
    this.rewrite = false;
    this.dropped = 0;
  }

  private newLine() {
    this.done.push(this.current);
    this.current = [];
    const excess = this.done.length - this.maxLines;
    if (excess > 0) {
      this.done.splice(0, excess);
      this.dropped += excess;
    }
  }
}

/// Index of the last character of the escape sequence starting at `start`, or -1 when the
/// text ends inside it. CSI: ESC [ params final(0x40–0x7E); OSC: ESC ] … BEL or ESC \; any
/// other: ESC, its intermediates and one character.
function sequenceEnd(text: string, start: number): number {
  const kind = text[start + 1];
  if (kind === undefined) return -1;
  if (kind === "[") {
    for (let i = start + 2; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x40 && code <= 0x7e) return i;
    }
    return -1;
  }
  if (kind === "]") {
    for (let i = start + 2; i < text.length; i++) {
      if (text[i] === "\x07") return i;
      if (text[i] === "\x1b" && text[i + 1] === "\\") return i + 1;
    }
    return -1;
  }
  // ESC, intermediates (0x20–0x2F, as in "ESC ( B", a character set), one final character.
  let i = start + 1;
  while (i < text.length && text.charCodeAt(i) >= 0x20 && text.charCodeAt(i) <= 0x2f) i++;
  return i < text.length ? i : -1;
}
