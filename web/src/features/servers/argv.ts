// berthd runs argv arrays, never a shell string (docs/api.md, jobs). The form takes one line
// and splits it the way a reader expects: spaces separate, quotes group, backslash escapes.
// Nothing is expanded (no $VAR, globs or pipes): to use a shell, run `sh -c '...'`.

export type ArgvResult = { ok: true; argv: string[] } | { ok: false; message: string };

export function splitArgv(line: string): ArgvResult {
  const argv: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && (line[i + 1] === '"' || line[i + 1] === "\\")) current += line[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) argv.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) return { ok: false, message: `A ${quote === '"' ? "double" : "single"} quote is not closed` };
  if (inWord) argv.push(current);
  if (argv.length === 0) return { ok: false, message: "Type a command to run" };
  return { ok: true, argv };
}
