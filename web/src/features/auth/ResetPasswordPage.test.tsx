import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newPasswordProblem } from "./passwordRules";
import { ResetPasswordPage } from "./ResetPasswordPage";
import { SignInPage } from "./SignInPage";
import { apiError, fakeBerth, renderRoutes, signedOutState } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const pages = [
  { path: "/reset-password", element: <ResetPasswordPage /> },
  { path: "/signin", element: <SignInPage /> },
];

async function fill(first: string, second: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("New password"), first);
  await user.type(screen.getByLabelText("Repeat the new password"), second);
  await user.click(screen.getByRole("button", { name: "Set password" }));
}

describe("newPasswordProblem", () => {
  it("holds berthd's 12-128 characters, counted as characters not bytes", () => {
    expect(newPasswordProblem("short", "short")).toMatch(/at least 12/);
    expect(newPasswordProblem("x".repeat(129), "x".repeat(129))).toMatch(/at most 128/);
    expect(newPasswordProblem("ééééééééééé", "ééééééééééé")).toMatch(/at least 12/); // 11 characters, 22 bytes
    expect(newPasswordProblem("correct horse", "correct horse!")).toMatch(/not the same/);
    expect(newPasswordProblem("correct horse", "correct horse")).toBeNull();
  });
});

describe("ResetPasswordPage", () => {
  it("refuses a too-short or mismatched password without asking berthd", async () => {
    const { seen } = fakeBerth({});
    renderRoutes(pages, "/reset-password?token=tok_1");
    await screen.findByLabelText("New password");
    await fill("short", "short");
    expect(screen.getByRole("alert")).toHaveTextContent("at least 12 characters");
    await fill("-battery-staple", "-battery-stapler");
    expect(screen.getByRole("alert")).toHaveTextContent("not the same");
    expect(seen).toHaveLength(0);
  });

  it("sends the token and password, then goes to sign in with a notice", async () => {
    const { seen } = fakeBerth({
      "POST /api/v1/auth/password-reset/confirm": [204],
      "GET /api/v1/auth/state": signedOutState,
    });
    renderRoutes(pages, "/reset-password?token=tok_1");
    await fill("correct horse battery", "correct horse battery");
    expect(await screen.findByText("Your new password is set. Sign in with it.")).toBeInTheDocument();
    expect(seen.find((r) => r.method === "POST")?.body).toEqual({ token: "tok_1", password: "correct horse battery" });
  });

  it("explains an invalid token and offers a new link", async () => {
    fakeBerth({ "POST /api/v1/auth/password-reset/confirm": [400, apiError("invalid_token", "the token is not valid")] });
    renderRoutes(pages, "/reset-password?token=old");
    await fill("correct horse battery", "correct horse battery");
    expect(await screen.findByRole("alert")).toHaveTextContent("not valid any more");
    expect(screen.getByRole("link", { name: "Ask for a new link" })).toHaveAttribute("href", "/forgot-password");
  });

  it("says the link is incomplete without a token", async () => {
    fakeBerth({});
    renderRoutes(pages, "/reset-password");
    expect(await screen.findByRole("heading", { name: "Reset link incomplete" })).toBeInTheDocument();
  });
});
