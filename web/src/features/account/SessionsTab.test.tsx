import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { session } from "../../api/session";
import { fakeBerth, me, renderRoutes, signedOutState } from "../auth/testing";
import { SignInPage } from "../auth/SignInPage";
import { SessionsTab } from "./SessionsTab";
import { describeAgent } from "./userAgent";

beforeEach(() => session.setCsrf("csrf-1"));
afterEach(() => vi.unstubAllGlobals());

const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const rows = [
  { id: "ses_1", current: true, user_agent: firefox, source_address: "10.0.0.2", created_at: "2026-01-01T00:00:00.000Z", last_seen_at: new Date().toISOString() },
  { id: "ses_2", current: false, user_agent: safari, source_address: "10.0.0.9", created_at: "2026-01-01T00:00:00.000Z", last_seen_at: "2026-01-02T00:00:00.000Z" },
];
const pages = [
  { path: "/account/sessions", element: <SessionsTab /> },
  { path: "/signin", element: <SignInPage /> },
];

describe("describeAgent", () => {
  it("names browser and system", () => {
    expect(describeAgent(firefox)).toBe("Firefox on Linux");
    expect(describeAgent(safari)).toBe("Safari on iOS");
    expect(describeAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0")).toBe("Edge on Windows");
    expect(describeAgent(undefined)).toBe("Unknown device");
  });
});

describe("SessionsTab", () => {
  it("marks this session and signs out another after confirming", async () => {
    const { seen } = fakeBerth({
      "GET /api/v1/me": [200, me],
      "GET /api/v1/me/sessions": [[200, { data: rows, page: 1, per_page: 20, total: 2 }], [200, { data: [rows[0]], page: 1, per_page: 20, total: 1 }]],
      "DELETE /api/v1/me/sessions/ses_2": [204],
    });
    const user = userEvent.setup();
    renderRoutes(pages, "/account/sessions");
    const current = (await screen.findByText("This session")).closest("tr")!;
    expect(within(current).getAllByRole("cell")[0]).toHaveTextContent("Firefox on Linux This session");

    await user.click(screen.getByRole("button", { name: "Sign out Safari on iOS" }));
    const dialog = await screen.findByRole("dialog", { name: "Sign out this session?" });
    expect(dialog).toHaveTextContent("Safari on iOS from 10.0.0.9");
    await user.click(within(dialog).getByRole("button", { name: "Sign out" }));
    expect(await screen.findByText("Signed out Safari on iOS.")).toBeInTheDocument();
    expect(seen.some((r) => r.method === "DELETE" && r.path === "/api/v1/me/sessions/ses_2")).toBe(true);
    expect(screen.queryByText(/Safari on iOS/, { selector: "td span" })).not.toBeInTheDocument();
  });

  it("returns to sign-in after signing out the current session", async () => {
    fakeBerth({
      "GET /api/v1/me": [200, me],
      "GET /api/v1/me/sessions": [200, { data: rows, page: 1, per_page: 20, total: 2 }],
      "DELETE /api/v1/me/sessions/ses_1": [204],
      "GET /api/v1/auth/state": signedOutState,
    });
    const user = userEvent.setup();
    renderRoutes(pages, "/account/sessions");
    await user.click(await screen.findByRole("button", { name: "Sign out Firefox on Linux" }));
    const dialog = await screen.findByRole("dialog", { name: "Sign out of this browser?" });
    await user.click(within(dialog).getByRole("button", { name: "Sign out" }));
    expect(await screen.findByText("You signed out this session.")).toBeInTheDocument();
    expect(session.csrf()).toBeNull();
  });
});
