import { describe, expect, it } from "vitest";
import { parseDotenv } from "./dotenv";

const pairs = (text: string) => parseDotenv(text).vars.map((v) => [v.key, v.value]);

describe("parseDotenv", () => {
  it("reads plain pairs, skipping blank lines and comments", () => {
    expect(pairs("# db\nDATABASE_URL=postgres://db/shop\n\n  LOG_LEVEL = info  \n")).toEqual([
      ["DATABASE_URL", "postgres://db/shop"],
      ["LOG_LEVEL", "info"],
    ]);
  });

  it("accepts the export prefix", () => {
    expect(pairs("export TOKEN=abc\nexport  REGION=eu")).toEqual([["TOKEN", "abc"], ["REGION", "eu"]]);
  });

  it("keeps empty values", () => {
    expect(pairs("EMPTY=\nALSO_EMPTY=''\nQUOTED=\"\"")).toEqual([["EMPTY", ""], ["ALSO_EMPTY", ""], ["QUOTED", ""]]);
  });

  it("strips inline comments only from unquoted values after whitespace", () => {
    expect(pairs("A=1 # one\nB=x#y\nC='a # b' # c\nD=# nothing")).toEqual([
      ["A", "1"], ["B", "x#y"], ["C", "a # b"], ["D", ""],
    ]);
  });

  it("handles double quotes with escapes, single quotes literally, and = in values", () => {
    expect(pairs('A="line1\\nline2 \\"q\\""\nB=\'no \\n escape\'\nC=a=b=c')).toEqual([
      ["A", 'line1\nline2 "q"'],
      ["B", "no \\n escape"],
      ["C", "a=b=c"],
    ]);
  });

  it("reads a double-quoted value spanning lines", () => {
    expect(pairs('KEY="-----BEGIN-----\nabc\n-----END-----"\nNEXT=1')).toEqual([
      ["KEY", "-----BEGIN-----\nabc\n-----END-----"],
      ["NEXT", "1"],
    ]);
  });

  it("reports invalid lines with their numbers and keeps the valid ones", () => {
    const result = parseDotenv("GOOD=1\njust text\n1BAD=2\nbad-key=3\nX=\"open\nY=4");
    expect(result.vars.map((v) => v.key)).toEqual(["GOOD"]);
    expect(result.errors.map((e) => [e.line, e.message])).toEqual([
      [2, "expected KEY=value"],
      [3, expect.stringContaining("not a valid key")],
      [4, expect.stringContaining("not a valid key")],
      [5, "no closing \" for X"],
    ]);
  });

  it("reports text after a closing quote", () => {
    expect(parseDotenv("A='x' y").errors[0]?.message).toMatch(/after the closing quote/);
  });

  it("uses the later value of a repeated key and warns", () => {
    const result = parseDotenv("A=1\nA=2");
    expect(result.vars).toEqual([{ key: "A", value: "2", line: 2 }]);
    expect(result.warnings[0]?.message).toMatch(/line 1/);
  });

  it("accepts CRLF line endings", () => {
    expect(pairs("A=1\r\nB=2\r\n")).toEqual([["A", "1"], ["B", "2"]]);
  });
});
