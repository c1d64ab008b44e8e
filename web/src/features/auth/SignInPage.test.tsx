import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../../api/session";
import { safeNext, SignInPage } from "./SignInPage";
import { formatWait } from "./signInErrors";
import { apiError, fakeBerth, me, renderRoutes, signedInState, signedOutState } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const signIn = [{ path: "/signin", element: <SignInPage /> }];

describe("safeNext", () => {
  it("returns to same-site paths only", () => {
    expect(safeNext("/apps/app_1/logs?x=1")).toBe("/apps/app_1/logs?x=1");
    expect(safeNext("//evil.example/")).toBe("/servers");
    expect(safeNext("https://evil.example/")).toBe("/servers");
    expect(safeNext("/\\evil.example")).toBe("/servers");
    expect(safeNext(null)).toBe("/servers");
  });
});

describe("formatWait", () => {
  it("rounds up to a unit a person reads", () => {
    expect(formatWait(1)).toBe("1 second");
    expect(formatWait(42)).toBe("42 seconds");
    expect(formatWait(61)).toBe("2 minutes");
    expect(formatWait(3600)).toBe("1 hour");
  });
});

describe("SignInPage", () => {
  it("asks for the second factor when berthd answers totp_required, then signs in and goes to next", async () => {
    const { seen } = fakeBerth({
      "GET /api/v1/auth/state": signedOutState,
      "POST /api/v1/auth/login": [
        [401, apiError("totp_required", "a two-factor code is required")],
        [200, { csrf_token: "csrf-1", user: me.user, memberships: me.memberships }],
      ],
      "GET /api/v1/me": [200, me],
    });
    const user = userEvent.setup();
    renderRoutes(signIn, "/signin?next=%2Fapps%2Fapp_1", ["/apps/app_1"]);

    await user.type(await screen.findByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    const code = await screen.findByLabelText("Code or recovery code");
    expect(screen.getByRole("heading", { name: "Two-factor code" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    await user.type(code, "abcde-fghij");
    await user.click(screen.getByRole("button", { name: "Verify" }));

    expect(await screen.findByText("landed on /apps/app_1")).toBeInTheDocument();
    const logins = seen.filter((r) => r.path === "/api/v1/auth/login");
    expect(logins.map((r) => r.body)).toEqual([
      { email: "ada@example.com", password: "correct horse battery" },
      { email: "ada@example.com", password: "correct horse battery", totp: "abcde-fghij" },
    ]);
    expect(session.csrf()).toBe("csrf-1");
  });

  it("says how long a locked account waits and holds the button meanwhile", async () => {
    fakeBerth({
      "GET /api/v1/auth/state": signedOutState,
      "POST /api/v1/auth/login": [429, apiError("account_locked", "too many failed sign-ins; try again later", { retry_after_seconds: 300 })],
    });
    const user = userEvent.setup();
    renderRoutes(signIn, "/signin");
    await user.type(await screen.findByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong password!");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many failed sign-ins. Try again in 5 minutes.");
    expect(screen.getByRole("button", { name: "Sign in" })).toBeDisabled();
  });

  it("sends someone already signed in on to the servers", async () => {
    session.setCsrf("csrf-old");
    fakeBerth({ "GET /api/v1/auth/state": signedInState, "GET /api/v1/me": [200, me] });
    renderRoutes(signIn, "/signin", ["/servers"]);
    expect(await screen.findByText("landed on /servers")).toBeInTheDocument();
  });

  it("shows the notice another page left", async () => {
    fakeBerth({ "GET /api/v1/auth/state": signedOutState });
    renderRoutes(signIn, { pathname: "/signin", state: { notice: "Your new password is set." } });
    expect(await screen.findByText("Your new password is set.")).toHaveAttribute("role", "status");
  });
});
