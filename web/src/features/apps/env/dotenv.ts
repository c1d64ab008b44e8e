// Parses the text of a `.env` file pasted into the env editor. Deliberately a small, strict
// dialect: KEY=value lines, optional `export ` prefix, # comments, single quotes (literal),
// double quotes (\n \t \" \\ escapes; may span lines), unquoted values with ` #` comments.
// Lines that are not one of these are reported with their number, never silently dropped.

export interface ParsedVar {
  key: string;
  value: string;
  line: number;
}

export interface ParseIssue {
  line: number;
  text: string;
  message: string;
}

export interface ParseResult {
  vars: ParsedVar[];
  errors: ParseIssue[];
  /// Not errors, but worth saying: a key given twice (the later value wins).
  warnings: ParseIssue[];
}

export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const escapes: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\", $: "$" };

export function parseDotenv(text: string): ParseResult {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const result: ParseResult = { vars: [], errors: [], warnings: [] };
  const seen = new Map<string, number>();

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i] ?? "";
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;

    const body = line.replace(/^export\s+/, "");
    const eq = body.indexOf("=");
    if (eq < 0) {
      result.errors.push({ line: lineNo, text: raw, message: "expected KEY=value" });
      continue;
    }
    const key = body.slice(0, eq).trim();
    if (!ENV_KEY.test(key)) {
      result.errors.push({ line: lineNo, text: raw, message: `"${key}" is not a valid key (letters, digits, _; not starting with a digit)` });
      continue;
    }
    let rest = body.slice(eq + 1).replace(/^\s+/, "");
    let value: string;

    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // Quoted: find the closing quote, reading further lines if needed.
      let content = rest.slice(1);
      let endLine = i;
      let close = findClose(content, quote);
      while (close < 0 && endLine + 1 < lines.length) {
        endLine++;
        content += "\n" + (lines[endLine] ?? "");
        close = findClose(content, quote);
      }
      if (close < 0) {
        result.errors.push({ line: lineNo, text: raw, message: `no closing ${quote} for ${key}` });
        i = lines.length; // the rest of the text is inside the open quote
        continue;
      }
      const after = content.slice(close + 1).trim();
      if (after !== "" && !after.startsWith("#")) {
        result.errors.push({ line: lineNo, text: raw, message: `unexpected text after the closing quote of ${key}` });
        i = endLine;
        continue;
      }
      const inner = content.slice(0, close);
      value = quote === "'" ? inner : inner.replace(/\\(.)/g, (m, c: string) => escapes[c] ?? m);
      i = endLine;
    } else {
      // Unquoted: a # after whitespace starts a comment.
      const comment = rest.search(/\s#/);
      if (comment >= 0) rest = rest.slice(0, comment);
      value = rest.trim();
      if (rest.startsWith("#")) value = "";
    }

    const earlier = seen.get(key);
    if (earlier !== undefined) {
      result.warnings.push({ line: lineNo, text: raw, message: `${key} was already set on line ${result.vars[earlier]!.line}; this value is used` });
      result.vars[earlier] = { key, value, line: lineNo };
    } else {
      seen.set(key, result.vars.length);
      result.vars.push({ key, value, line: lineNo });
    }
  }
  return result;
}

/// Index of the closing quote in text (a double quote may be escaped), or -1.
function findClose(text: string, quote: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === '"' && c === "\\") {
      i++;
      continue;
    }
    if (c === quote) return i;
  }
  return -1;
}
