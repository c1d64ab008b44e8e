import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../../api/session";
import { InvitationPage } from "./InvitationPage";
import { apiError, fakeBerth, me, renderRoutes, signedInState, signedOutState } from "./testing";

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

const page = [{ path: "/invite", element: <InvitationPage /> }];
const team = { id: "team_x", name: "Platform", role: "member", personal: false };
// After joining, /me lists the new team too.
const meAfter = { ...me, memberships: [...me.memberships, { role: "member", team }] };

describe("InvitationPage", () => {
  it("lets a new user register with the token from the link, then signs them in", async () => {
    const { seen } = fakeBerth({
      "GET /api/v1/auth/state": signedOutState,
      "POST /api/v1/invitations/register": [201, { user: { ...me.user, email: "new@example.com" }, team }],
      "POST /api/v1/auth/login": [200, { csrf_token: "csrf-new" }],
      "GET /api/v1/me": [200, meAfter],
    });
    const user = userEvent.setup();
    renderRoutes(page, "/invite#tok_abc", ["/servers"]);
    await user.type(await screen.findByLabelText("Your name"), "Grace");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.type(screen.getByLabelText("Repeat the password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Create account and join" }));

    expect(await screen.findByText("landed on /servers")).toBeInTheDocument();
    const posts = seen.filter((r) => r.method === "POST");
    expect(posts[0]?.body).toEqual({ token: "tok_abc", password: "correct horse battery", display_name: "Grace" });
    expect(posts[1]?.body).toEqual({ email: "new@example.com", password: "correct horse battery" });
    expect(session.team()).toBe("team_x");
    expect(await screen.findByText("Welcome! You joined Platform.")).toBeInTheDocument();
  });

  it("offers sign-in when the invited email already has an account", async () => {
    fakeBerth({
      "GET /api/v1/auth/state": signedOutState,
      "POST /api/v1/invitations/register": [409, apiError("account_exists", "an account with this email exists; sign in to accept")],
    });
    const user = userEvent.setup();
    renderRoutes(page, "/invite#tok_abc");
    await user.type(await screen.findByLabelText("Your name"), "Ada");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.type(screen.getByLabelText("Repeat the password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Create account and join" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("already exists");
    expect(screen.getAllByRole("link", { name: /Sign in/ })[0]).toHaveAttribute("href", "/signin?next=%2Finvite");
  });

  it("lets a signed-in user accept (the token survives the sign-in detour) and switches to the team", async () => {
    sessionStorage.setItem("berth.invitation", "tok_kept");
    session.setCsrf("csrf-1");
    const { seen } = fakeBerth({
      "GET /api/v1/auth/state": signedInState,
      "GET /api/v1/me": [[200, me], [200, meAfter]],
      "POST /api/v1/invitations/accept": [200, team],
    });
    const user = userEvent.setup();
    renderRoutes(page, "/invite", ["/servers"]);
    expect(await screen.findByText("ada@example.com")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Accept invitation" }));
    expect(await screen.findByText("landed on /servers")).toBeInTheDocument();
    expect(seen.find((r) => r.method === "POST")?.body).toEqual({ token: "tok_kept" });
    expect(session.team()).toBe("team_x");
    expect(sessionStorage.getItem("berth.invitation")).toBeNull();
  });

  it("explains an expired invitation", async () => {
    session.setCsrf("csrf-1");
    fakeBerth({
      "GET /api/v1/auth/state": signedInState,
      "GET /api/v1/me": [200, me],
      "POST /api/v1/invitations/accept": [404, apiError("invitation_expired", "this invitation has expired; ask for a new one")],
    });
    const user = userEvent.setup();
    renderRoutes(page, "/invite#tok_old");
    await user.click(await screen.findByRole("button", { name: "Accept invitation" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("has expired. Ask the team for a new one.");
  });

  it("says the link is incomplete without a token", async () => {
    fakeBerth({ "GET /api/v1/auth/state": signedOutState });
    renderRoutes(page, "/invite");
    expect(await screen.findByRole("heading", { name: "Invitation link incomplete" })).toBeInTheDocument();
  });
});
