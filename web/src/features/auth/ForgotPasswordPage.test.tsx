import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ForgotPasswordPage } from "./ForgotPasswordPage";
import { apiError, fakeBerth, renderRoutes } from "./testing";

afterEach(() => vi.unstubAllGlobals());

async function ask(email: string) {
  const user = userEvent.setup();
  renderRoutes([{ path: "/forgot-password", element: <ForgotPasswordPage /> }], "/forgot-password");
  await user.type(await screen.findByLabelText("Email"), email);
  await user.click(screen.getByRole("button", { name: "Send reset link" }));
}

describe("ForgotPasswordPage", () => {
  it("answers the same whether or not the address exists", async () => {
    const { seen } = fakeBerth({ "POST /api/v1/auth/password-reset": [202, { message: "If the address has an account, a link is on its way." }] });
    await ask("nobody@example.com");
    expect(await screen.findByRole("heading", { name: "Check your email" })).toBeInTheDocument();
    expect(screen.getByText(/If/)).toHaveTextContent("If nobody@example.com has an account here");
    expect(seen[0]?.body).toEqual({ email: "nobody@example.com" });
  });

  it("sends the user to an administrator when the instance cannot mail", async () => {
    fakeBerth({ "POST /api/v1/auth/password-reset": [422, apiError("mail_not_configured", "no mail server")] });
    await ask("ada@example.com");
    expect(await screen.findByRole("heading", { name: "Ask an administrator" })).toBeInTheDocument();
  });
});
