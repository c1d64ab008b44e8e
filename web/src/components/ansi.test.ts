import { describe, expect, it } from "vitest";
import { AnsiScreen, applySgr, colour256 } from "./ansi";

function text(screen: AnsiScreen) {
  return screen.lines().map((line) => line.map((s) => s.text).join(""));
}

describe("AnsiScreen", () => {
  it("splits lines and keeps the open one", () => {
    const screen = new AnsiScreen();
    screen.write("one\ntwo\nthr");
    screen.write("ee");
    expect(text(screen)).toEqual(["one", "two", "three"]);
  });

  it("keeps colours across chunks and resets them", () => {
    const screen = new AnsiScreen();
    screen.write("\x1b[31mred ");
    screen.write("still red\x1b[0m plain");
    const [line] = screen.lines();
    expect(line).toEqual([
      { text: "red still red", style: { fg: "#ff7b72" } },
      { text: " plain", style: {} },
    ]);
  });

  it("waits for an escape sequence cut between chunks", () => {
    const screen = new AnsiScreen();
    screen.write("a\x1b[3");
    screen.write("2mgreen");
    expect(screen.lines()[0]).toEqual([
      { text: "a", style: {} },
      { text: "green", style: { fg: "#56d364" } },
    ]);
  });

  it("rewrites the line after a carriage return, but not for CRLF", () => {
    const screen = new AnsiScreen();
    screen.write("10%\r50%\r");
    screen.write("100%\r\ndone\r\n");
    expect(text(screen)).toEqual(["100%", "done"]);
  });

  it("drops cursor moves, titles and other controls", () => {
    const screen = new AnsiScreen();
    screen.write("\x1b]0;title\x07a\x1b[2K\x1b[1Ab\x07\x08c\x1b(B");
    expect(text(screen)).toEqual(["abc"]);
  });

  it("does not wait forever for the end of a broken sequence", () => {
    const screen = new AnsiScreen();
    screen.write("\x1b[" + "1".repeat(300) + " 42");
    expect(text(screen)[0]).toMatch(/1 42$/);
  });

  it("keeps the last lines and counts the rest", () => {
    const screen = new AnsiScreen(3);
    screen.write("1\n2\n3\n4\n5\n");
    expect(text(screen)).toEqual(["3", "4", "5"]);
    expect(screen.dropped).toBe(2);
    screen.clear();
    expect(screen.lines()).toEqual([]);
    expect(screen.dropped).toBe(0);
  });
});

describe("applySgr", () => {
  it("reads attributes, bright, 256 and 24-bit colours", () => {
    expect(applySgr({}, [1, 4, 93, 48, 5, 196])).toEqual({ bold: true, underline: true, fg: "#f2cc60", bg: "#ff0000" });
    expect(applySgr({}, [38, 2, 1, 2, 3])).toEqual({ fg: "#010203" });
    expect(applySgr({ bold: true, fg: "#fff" }, [22, 39])).toEqual({});
    expect(applySgr({ bold: true }, [])).toEqual({});
  });

  it("ignores colours out of range", () => {
    expect(applySgr({}, [38, 5, 300])).toEqual({});
    expect(colour256(232)).toBe("#080808");
    expect(colour256(16)).toBe("#000000");
  });
});
