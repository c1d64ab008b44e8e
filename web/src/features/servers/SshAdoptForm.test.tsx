import { afterEach, describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SshAdoptForm } from "./SshAdoptForm";
import { renderSignedIn, stubApi } from "./testUtils";

afterEach(() => vi.unstubAllGlobals());

const key = "SHA256:Q0bE1c6gH0mJ0mU5Zb1Zl1b9cH0b8oE1Yq6m4QmT2Zk";

async function fillIn() {
  await userEvent.type(screen.getByLabelText(/^Name/), "web-1");
  await userEvent.type(screen.getByLabelText(/^Host/), "203.0.113.10");
  await userEvent.type(screen.getByLabelText(/^Password/, { selector: "input[type=password]" }), "hunter2");
}

describe("SshAdoptForm", () => {
  it("shows the host key before any credential is sent, and adopts with the confirmed key", async () => {
    const calls: { path: string; body: unknown }[] = [];
    const record = (path: string, answer: unknown) => async (request: Request) => {
      calls.push({ path, body: await request.json() });
      return answer;
    };
    stubApi("admin", {
      "POST /api/v1/servers/ssh-host-key": record("probe", { host: "203.0.113.10", port: 22, host_key: key, host_key_type: "ssh-ed25519" }),
      "POST /api/v1/servers": record("adopt", { server: { id: "srv_1", name: "web-1", status: "adopting" }, job: { id: "job_1", state: "running" } }),
      "GET /api/v1/jobs/job_1": { id: "job_1", state: "running" },
      "GET /api/v1/servers/srv_1": { id: "srv_1", name: "web-1", status: "adopting", ssh: { host_key: key } },
    });
    renderSignedIn(<SshAdoptForm />);
    await fillIn();
    await userEvent.click(screen.getByRole("button", { name: "Check the host key" }));
    expect(await screen.findByLabelText("Host key")).toHaveTextContent(key);
    // Only the address went out so far.
    expect(calls).toEqual([{ path: "probe", body: { host: "203.0.113.10", port: 22 } }]);
    await userEvent.click(screen.getByRole("button", { name: "The key matches: adopt" }));
    await screen.findByText("Follow its output");
    expect(calls[1]).toEqual({
      path: "adopt",
      body: { name: "web-1", host: "203.0.113.10", port: 22, username: "root", auth: { password: "hunter2" }, keep_credentials: false, host_key: key },
    });
  });

  it("asks again when the host changes after the key was read", async () => {
    stubApi("admin", {
      "POST /api/v1/servers/ssh-host-key": { host: "203.0.113.10", port: 22, host_key: key, host_key_type: "ssh-ed25519" },
    });
    renderSignedIn(<SshAdoptForm />);
    await fillIn();
    await userEvent.click(screen.getByRole("button", { name: "Check the host key" }));
    await screen.findByLabelText("Host key");
    await userEvent.type(screen.getByRole("textbox", { name: /^Host/ }), "1");
    expect(screen.queryByLabelText("Host key")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Check the host key" })).toBeEnabled();
  });
});
