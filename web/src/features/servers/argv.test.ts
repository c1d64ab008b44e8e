import { describe, expect, it } from "vitest";
import { splitArgv } from "./argv";

describe("splitArgv", () => {
  it("splits on spaces, groups quotes and keeps shell syntax literal", () => {
    expect(splitArgv(`sh -c 'echo "$HOME" | wc -c'`)).toEqual({ ok: true, argv: ["sh", "-c", 'echo "$HOME" | wc -c'] });
    expect(splitArgv(`ls  "my dir" a\\ b ''`)).toEqual({ ok: true, argv: ["ls", "my dir", "a b", ""] });
  });
  it("refuses an open quote and an empty line", () => {
    expect(splitArgv(`echo "hi`).ok).toBe(false);
    expect(splitArgv("   ").ok).toBe(false);
  });
});
