import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { AgentVersion } from "./AgentVersion";
import { renderSignedIn, stubApi } from "./testUtils";
import type { Server } from "./types";

afterEach(() => vi.unstubAllGlobals());

const outdated: Server = {
  id: "srv_1",
  name: "web-1",
  status: "online",
  agent_enrolled: true,
  agent_version: "0.0.9",
  agent_update_available: true,
};

describe("agent version", () => {
  it("shows update available and upgrades after a confirmation, linking the job", async () => {
    const upgraded = vi.fn(() => ({
      server_id: "srv_1",
      server_name: "web-1",
      from_version: "0.0.9",
      to_version: "0.1.0",
      job: { id: "job_1", kind: "agent.upgrade", state: "queued" },
    }));
    stubApi("admin", { "POST /api/v1/servers/srv_1/upgrade": upgraded });
    renderSignedIn(<AgentVersion server={outdated} teamId="team_1" />);
    expect(screen.getByText("0.0.9")).toBeInTheDocument();
    expect(screen.getByText("update available")).toBeInTheDocument();
    await userEvent.click(await screen.findByRole("button", { name: "Upgrade" }));
    const dialog = screen.getByRole("dialog", { name: "Upgrade the agent of web-1?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Upgrade" }));
    expect(await screen.findByRole("link", { name: "upgrade job" })).toHaveAttribute("href", "/jobs/job_1");
    expect(upgraded).toHaveBeenCalledOnce();
  });

  it("offers no upgrade for an agent at berthd's version", async () => {
    stubApi("admin", {});
    renderSignedIn(
      <>
        <AgentVersion server={outdated} teamId="team_1" />
        <AgentVersion server={{ ...outdated, id: "srv_2", agent_version: "0.1.0", agent_update_available: false }} teamId="team_1" />
      </>,
    );
    // The admin's button on the older one shows the role is known; the current one has none.
    expect(await screen.findByRole("button", { name: "Upgrade" })).toBeInTheDocument();
    expect(screen.getAllByRole("button", { name: "Upgrade" })).toHaveLength(1);
    expect(screen.getByText("0.1.0")).toBeInTheDocument();
    expect(screen.getAllByText("update available")).toHaveLength(1);
  });
});
