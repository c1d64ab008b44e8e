import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet, Route, Routes } from "react-router-dom";
import SettingsTab from "./SettingsTab";
import { availableActions, parseLabels } from "./serverActions";
import { renderSignedIn, stubApi } from "./testUtils";
import type { Server } from "./types";

afterEach(() => vi.unstubAllGlobals());

const server: Server = { id: "srv_1", name: "web-1", status: "online", scheduling: "active", agent_enrolled: true, labels: {} as Server["labels"] };

function renderSettings() {
  return renderSignedIn(
    <Routes>
      <Route path="/servers/:id" element={<Outlet context={{ server, serverId: "srv_1", teamId: "team_1", events: [] }} />}>
        <Route path="settings" element={<SettingsTab />} />
      </Route>
      <Route path="/servers" element={<p>list</p>} />
    </Routes>,
    "/servers/srv_1/settings",
  );
}

describe("server settings", () => {
  it("offers the actions that fit the server's state", () => {
    expect(availableActions("active", true)).toEqual(["cordon", "drain", "revoke-agent", "delete"]);
    expect(availableActions("cordoned", false)).toEqual(["uncordon", "drain", "delete"]);
    expect(availableActions("draining", true)).toEqual(["uncordon", "revoke-agent", "delete"]);
  });

  it("reads labels as key=value lines and names a wrong line", () => {
    expect(parseLabels("region=eu\n\n tier = web ")).toEqual({ ok: true, labels: { region: "eu", tier: "web" } });
    expect(parseLabels("region")).toEqual({ ok: false, message: "Line 1: write key=value" });
  });

  it("deletes only once the server's name is typed", async () => {
    const deleted = vi.fn(() => ({}));
    stubApi("admin", { "DELETE /api/v1/servers/srv_1": deleted });
    renderSettings();
    await userEvent.click(await screen.findByRole("button", { name: "Delete server…" }));
    const dialog = screen.getByRole("dialog", { name: "Delete web-1?" });
    const confirm = within(dialog).getByRole("button", { name: "Delete server" });
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText(/to confirm/), "web-");
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText(/to confirm/), "1");
    expect(confirm).toBeEnabled();
    await userEvent.click(confirm);
    expect(await screen.findByText("list")).toBeInTheDocument();
    expect(deleted).toHaveBeenCalledOnce();
  });

  it("cordons after a confirmation that names the server, with no typing needed", async () => {
    const cordoned = vi.fn(() => ({ ...server, scheduling: "cordoned" }));
    stubApi("admin", { "POST /api/v1/servers/srv_1/cordon": cordoned });
    renderSettings();
    await userEvent.click(await screen.findByRole("button", { name: "Cordon…" }));
    const dialog = screen.getByRole("dialog", { name: "Cordon web-1?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Cordon" }));
    expect(await screen.findByText("web-1 cordoned")).toBeInTheDocument();
    expect(cordoned).toHaveBeenCalledOnce();
  });

  it("shows a viewer no actions", async () => {
    stubApi("viewer", {});
    renderSettings();
    expect(await screen.findByText("Only an admin changes a server's settings.")).toBeInTheDocument();
    expect(screen.queryByRole("button")).toBeNull();
  });
});
