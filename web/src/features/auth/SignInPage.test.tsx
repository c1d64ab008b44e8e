import { describe, expect, it } from "vitest";
import { safeNext } from "./SignInPage";

describe("safeNext", () => {
  it("returns to same-site paths only", () => {
    expect(safeNext("/apps/app_1/logs?x=1")).toBe("/apps/app_1/logs?x=1");
    expect(safeNext("//evil.example/")).toBe("/servers");
    expect(safeNext("https://evil.example/")).toBe("/servers");
    expect(safeNext("/\\evil.example")).toBe("/servers");
    expect(safeNext(null)).toBe("/servers");
  });
});
