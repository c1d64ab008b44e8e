import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { session } from "../../api/session";
import { fakeBerth, me, renderRoutes } from "../auth/testing";
import { groupSecret } from "./TotpEnrolment";
import { TwoFactorTab } from "./TwoFactorTab";

beforeEach(() => session.setCsrf("csrf-1"));
afterEach(() => vi.unstubAllGlobals());

const page = [{ path: "/account/two-factor", element: <TwoFactorTab /> }];
const meOn = { ...me, user: { ...me.user, totp_enabled: true } };
const codes = Array.from({ length: 10 }, (_, i) => `CODE${i}-ABCDE`);

describe("TwoFactorTab", () => {
  it("enrols: secret and QR code, a first code, then the recovery codes once", async () => {
    const { seen } = fakeBerth({
      "GET /api/v1/me": [[200, me], [200, meOn]],
      "POST /api/v1/me/totp": [201, { secret: "JBSWY3DPEHPK3PXP", otpauth_uri: "otpauth://totp/Berth:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Berth" }],
      "POST /api/v1/me/totp/confirm": [200, { recovery_codes: codes }],
    });
    const user = userEvent.setup();
    renderRoutes(page, "/account/two-factor");
    await user.click(await screen.findByRole("button", { name: "Set up two-factor sign-in" }));

    expect(await screen.findByText("JBSW Y3DP EHPK 3PXP")).toBeInTheDocument();
    expect(await screen.findByRole("img", { name: /QR code/ })).toHaveAttribute("src", expect.stringMatching(/^data:image\/svg\+xml/));
    await user.type(screen.getByLabelText(/6-digit code/), "123456");
    await user.click(screen.getByRole("button", { name: "Turn on" }));

    expect(await screen.findByRole("heading", { name: "Save your recovery codes" })).toBeInTheDocument();
    expect(screen.getAllByRole("listitem")).toHaveLength(10);
    expect(seen.find((r) => r.path === "/api/v1/me/totp/confirm")?.body).toEqual({ code: "123456" });
    await user.click(screen.getByRole("button", { name: "I have saved them" }));
    expect(await screen.findByRole("heading", { name: "Two-factor sign-in is on" })).toBeInTheDocument();
    expect(screen.queryByText("CODE0-ABCDE")).not.toBeInTheDocument();
  });

  it("turns off with the password and a code", async () => {
    const { seen } = fakeBerth({
      "GET /api/v1/me": [[200, meOn], [200, me]],
      "POST /api/v1/me/totp/disable": [204],
    });
    const user = userEvent.setup();
    renderRoutes(page, "/account/two-factor");
    await user.click(await screen.findByRole("button", { name: "Turn off…" }));
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.type(screen.getByLabelText("Code"), "654321");
    await user.click(screen.getByRole("button", { name: "Turn off two-factor sign-in" }));
    expect(await screen.findByRole("heading", { name: "Two-factor sign-in is off" })).toBeInTheDocument();
    expect(seen.find((r) => r.path === "/api/v1/me/totp/disable")?.body).toEqual({ password: "correct horse battery", code: "654321" });
  });

  it("makes new recovery codes with a code", async () => {
    fakeBerth({ "GET /api/v1/me": [200, meOn], "POST /api/v1/me/totp/recovery-codes": [200, { recovery_codes: codes }] });
    const user = userEvent.setup();
    renderRoutes(page, "/account/two-factor");
    await user.type(await screen.findByLabelText("Code to confirm"), "ABCDE-12345");
    await user.click(screen.getByRole("button", { name: "Make new recovery codes" }));
    expect(await screen.findByText("CODE9-ABCDE")).toBeInTheDocument();
  });

  it("groups the secret in fours for typing", () => {
    expect(groupSecret("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
  });
});
