import { afterEach, describe, expect, it, vi } from "vitest";
import { api, call } from "./client";
import { ApiError, toApiError } from "./errors";
import { session } from "./session";

afterEach(() => vi.unstubAllGlobals());

function answer(status: number, body: unknown) {
  return vi.fn(async (_request: Request) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

describe("call", () => {
  it("throws the API's error envelope as an ApiError", async () => {
    vi.stubGlobal("fetch", answer(409, { error: { code: "conflict", message: "name taken", details: { field: "name" } } }));
    const failure = await call(api.GET("/api/v1/servers")).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 409, code: "conflict", message: "name taken", details: { field: "name" } });
  });

  it("sends the team on every request and the CSRF token only on mutations", async () => {
    session.setTeam("team_1");
    session.setCsrf("csrf-abc");
    const fetchMock = answer(200, { data: [], page: 1, per_page: 20, total: 0 });
    vi.stubGlobal("fetch", fetchMock);
    await call(api.GET("/api/v1/servers"));
    await call(api.POST("/api/v1/auth/logout")).catch(() => undefined);
    const [get, post] = fetchMock.mock.calls.map(([request]) => request);
    expect(get!.headers.get("X-Team-ID")).toBe("team_1");
    expect(get!.headers.get("X-CSRF-Token")).toBeNull();
    expect(post!.headers.get("X-CSRF-Token")).toBe("csrf-abc");
  });

  it("tells the session it expired on a 401 outside sign-in", async () => {
    vi.stubGlobal("fetch", answer(401, { error: { code: "unauthenticated", message: "sign in", details: {} } }));
    const expired = vi.fn();
    const stop = session.onExpired(expired);
    await call(api.GET("/api/v1/servers")).catch(() => undefined);
    stop();
    expect(expired).toHaveBeenCalledOnce();
  });

  it("makes a readable error of a body that is not an envelope", () => {
    expect(toApiError(502, "<html>bad gateway</html>").message).toMatch(/502/);
    expect(toApiError(0, new TypeError("fetch failed")).code).toBe("network");
  });
});
