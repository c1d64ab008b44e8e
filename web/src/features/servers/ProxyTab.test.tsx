import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet, Route, Routes } from "react-router-dom";
import ProxyTab from "./ProxyTab";
import { renderSignedIn, stubApi } from "./testUtils";
import type { Server } from "./types";

afterEach(() => vi.unstubAllGlobals());

const server: Server = { id: "srv_1", name: "web-1", status: "online", scheduling: "active", agent_enrolled: true, labels: {} as Server["labels"] };
const root = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const stored = {
  server_id: "srv_1",
  base_domain: "apps.example.com",
  http_port: 80,
  https_port: 443,
  tls: "acme",
  public_addresses: ["203.0.113.7"],
  acme_ca: "https://ca.internal:9000/acme/acme/directory",
  acme_ca_root: root,
  acme_email: "ops@example.com",
};

// A PUT answer that echoes the body, which it keeps for the test to read.
function echoPut(sent: Record<string, unknown>[]) {
  return vi.fn(async (request: Request) => {
    const body = (await request.json()) as Record<string, unknown>;
    sent.push(body);
    return { ...stored, ...body };
  });
}

function renderProxy() {
  return renderSignedIn(
    <Routes>
      <Route path="/servers/:id" element={<Outlet context={{ server, serverId: "srv_1", teamId: "team_1", events: [] }} />}>
        <Route path="proxy" element={<ProxyTab />} />
      </Route>
    </Routes>,
    "/servers/srv_1/proxy",
  );
}

describe("proxy settings", () => {
  it("shows the ACME settings and saves them with everything the form does not show", async () => {
    const sent: Record<string, unknown>[] = [];
    const put = echoPut(sent);
    stubApi("admin", { "GET /api/v1/servers/srv_1/proxy": stored, "PUT /api/v1/servers/srv_1/proxy": put });
    renderProxy();
    const ca = await screen.findByLabelText("ACME directory URL");
    expect(ca).toHaveValue(stored.acme_ca);
    expect(screen.getByLabelText("CA root certificate (PEM)")).toHaveValue(root);
    const email = screen.getByLabelText("ACME account email");
    expect(email).toHaveValue("ops@example.com");
    await userEvent.clear(email);
    await userEvent.type(email, " certs@example.com ");
    fireEvent.change(ca, { target: { value: "https://step.internal/acme/acme/directory" } });
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Proxy settings of web-1 saved")).toBeInTheDocument();
    expect(put).toHaveBeenCalledOnce();
    expect(sent[0]).toEqual({
      base_domain: "apps.example.com",
      http_port: 80,
      https_port: 443,
      tls: "acme",
      public_addresses: ["203.0.113.7"],
      acme_ca: "https://step.internal/acme/acme/directory",
      acme_ca_root: root,
      acme_email: "certs@example.com",
    });
  });

  it("edits the public addresses as a list, and an empty field clears them", async () => {
    const sent: Record<string, unknown>[] = [];
    stubApi("admin", { "GET /api/v1/servers/srv_1/proxy": stored, "PUT /api/v1/servers/srv_1/proxy": echoPut(sent) });
    renderProxy();
    const addresses = await screen.findByLabelText("Public addresses");
    expect(addresses).toHaveValue("203.0.113.7");
    fireEvent.change(addresses, { target: { value: " 198.51.100.4,2001:db8::7  203.0.113.9 " } });
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Proxy settings of web-1 saved")).toBeInTheDocument();
    expect(sent[0]?.public_addresses).toEqual(["198.51.100.4", "2001:db8::7", "203.0.113.9"]);
    fireEvent.change(addresses, { target: { value: "  " } });
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]?.public_addresses).toEqual([]);
  });

  it("clears a CA by emptying its fields, and a viewer can only read", async () => {
    const sent: Record<string, unknown>[] = [];
    stubApi("admin", { "GET /api/v1/servers/srv_1/proxy": stored, "PUT /api/v1/servers/srv_1/proxy": echoPut(sent) });
    const view = renderProxy();
    await userEvent.clear(await screen.findByLabelText("ACME directory URL"));
    fireEvent.change(screen.getByLabelText("CA root certificate (PEM)"), { target: { value: "  \n" } });
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Proxy settings of web-1 saved")).toBeInTheDocument();
    expect(sent[0]).toMatchObject({ acme_ca: "", acme_ca_root: "", acme_email: "ops@example.com" });
    view.unmount();

    vi.unstubAllGlobals();
    stubApi("viewer", { "GET /api/v1/servers/srv_1/proxy": stored });
    renderProxy();
    expect(await screen.findByLabelText("ACME directory URL")).toBeDisabled();
    expect(screen.getByLabelText("CA root certificate (PEM)")).toBeDisabled();
    expect(screen.getByText("Only an admin changes the proxy settings.")).toBeInTheDocument();
  });
});
