import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../../api/errors";
import { session } from "../../../api/session";
import { createPasswordResetLink } from "./passwordReset";

afterEach(() => vi.unstubAllGlobals());

describe("createPasswordResetLink", () => {
  it("posts with the team and CSRF headers and returns the link", async () => {
    session.setCsrf("csrf-1");
    session.setTeam("team_1");
    const fetchMock = vi.fn(async (_request: Request) =>
      new Response(JSON.stringify({ url: "http://x/reset#t", expires_at: "2026-01-01T00:00:00.000Z" }), { status: 201 }),
    );
    vi.stubGlobal("fetch", fetchMock);
    expect(await createPasswordResetLink("usr_1")).toEqual({ url: "http://x/reset#t", expires_at: "2026-01-01T00:00:00.000Z" });
    const [request] = fetchMock.mock.calls[0]!;
    expect(new URL(request.url).pathname).toBe("/api/v1/admin/users/usr_1/password-reset");
    expect(request.method).toBe("POST");
    expect(request.headers.get("X-CSRF-Token")).toBe("csrf-1");
    expect(request.headers.get("X-Team-ID")).toBe("team_1");
  });

  it("throws the API's error envelope", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ error: { code: "not_found", message: "no such user", details: {} } }), { status: 404 }));
    const failure = await createPasswordResetLink("usr_x").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 404, message: "no such user" });
  });
});
