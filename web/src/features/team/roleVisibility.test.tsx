import { afterEach, describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";
import { ApiKeysTab } from "./ApiKeysTab";
import { InvitationsTab } from "./InvitationsTab";
import { MembersTab } from "./MembersTab";
import { SettingsTab } from "./SettingsTab";
import { renderSignedIn, stubApi, testTeam, testUser } from "./testing";
import { assignableRoles, canRemove, invitableRoles, keyRoles } from "./teamRules";

afterEach(() => vi.unstubAllGlobals());

const page = (data: unknown[]) => ({ data, page: 1, per_page: 20, total: data.length });
const members = page([
  { user_id: "usr_owner", display_name: "Olga", email: "olga@example.com", role: "owner", joined_at: "2026-01-01T00:00:00Z" },
  { user_id: testUser.id, display_name: "Ada", email: testUser.email, role: "viewer", joined_at: "2026-01-02T00:00:00Z" },
  { user_id: "usr_bob", display_name: "Bob", email: "bob@example.com", role: "member", joined_at: "2026-01-03T00:00:00Z" },
]);
const membersRoute = { [`GET /api/v1/teams/${testTeam.id}/members`]: () => members };

describe("a viewer", () => {
  it("sees the members but no role pickers and no Remove, only Leave on their own row", async () => {
    stubApi("viewer", membersRoute);
    renderSignedIn(<MembersTab />, { url: "/team/members" });
    expect(await screen.findByText("Bob")).toBeInTheDocument();
    expect(screen.queryByRole("combobox")).toBeNull();
    expect(screen.queryByRole("button", { name: /remove/i })).toBeNull();
    expect(screen.getByRole("button", { name: "Leave" })).toBeInTheDocument();
  });

  it("sees no Invite and no Create key, and the API is not asked for what it would refuse", async () => {
    const fetchMock = stubApi("viewer");
    renderSignedIn(<InvitationsTab />, { url: "/team/invitations" });
    expect(await screen.findByText(/is for team admins/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /invite/i })).toBeNull();
    renderSignedIn(<ApiKeysTab />, { url: "/team/api-keys" });
    expect(await screen.findByText(/Managing API keys is for team admins/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /create key/i })).toBeNull();
    const asked = fetchMock.mock.calls.map(([r]) => new URL((r as Request).url).pathname);
    expect(asked.filter((p) => p !== "/api/v1/me")).toEqual([]);
  });

  it("cannot rename, transfer or delete the team", async () => {
    stubApi("viewer", membersRoute);
    renderSignedIn(<SettingsTab />, { url: "/team/settings" });
    expect(await screen.findByText(/team admins can rename it/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /rename/i })).toBeNull();
    expect(screen.queryByRole("button", { name: /delete team/i })).toBeNull();
    expect(screen.queryByRole("button", { name: /transfer/i })).toBeNull();
    expect(screen.getByRole("button", { name: /create a new team/i })).toBeInTheDocument();
  });
});

describe("an admin and an owner", () => {
  it("an admin sees Invite and Create key", async () => {
    stubApi("admin", {
      [`GET /api/v1/teams/${testTeam.id}/invitations`]: () => page([]),
      "GET /api/v1/api-keys": () => page([]),
    });
    renderSignedIn(<InvitationsTab />, { url: "/team/invitations" });
    expect(await screen.findByRole("button", { name: /invite/i })).toBeInTheDocument();
    renderSignedIn(<ApiKeysTab />, { url: "/team/api-keys" });
    expect(await screen.findByRole("button", { name: /create key/i })).toBeInTheDocument();
  });

  it("an admin gets the owner-only actions hidden; the owner sees them", async () => {
    stubApi("admin", membersRoute);
    const { unmount } = renderSignedIn(<SettingsTab />, { url: "/team/settings" });
    expect(await screen.findByRole("button", { name: /rename team/i })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /delete team/i })).toBeNull();
    unmount();
    stubApi("owner", membersRoute);
    renderSignedIn(<SettingsTab />, { url: "/team/settings" });
    expect(await screen.findByRole("button", { name: /delete team/i })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /transfer/i })).toBeInTheDocument();
  });
});

describe("teamRules", () => {
  it("follows berthd's member rules", () => {
    expect(assignableRoles("admin", { role: "member" })).toEqual(["viewer", "member"]);
    expect(assignableRoles("admin", { role: "admin" })).toEqual([]);
    expect(assignableRoles("owner", { role: "admin" })).toEqual(["viewer", "member", "admin"]);
    expect(assignableRoles("owner", { role: "owner" })).toEqual([]);
    expect(canRemove("admin", "me", { user_id: "x", role: "admin" })).toBe(false);
    expect(canRemove("owner", "me", { user_id: "x", role: "admin" })).toBe(true);
    expect(canRemove("viewer", "me", { user_id: "me", role: "viewer" })).toBe(true);
    expect(canRemove("owner", "me", { user_id: "me", role: "owner" })).toBe(false);
    expect(invitableRoles("admin")).toEqual(["viewer", "member"]);
    expect(invitableRoles("member")).toEqual([]);
    expect(keyRoles("member")).toEqual(["viewer", "member"]);
  });
});
