import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { App } from "../shared/types";
import { DomainsPanel } from "./DomainsTab";
import { apiError, renderAs, reply, type Routes } from "./testing";
import type { Domain } from "./types";

afterEach(() => vi.unstubAllGlobals());

const app = { id: "app_1", name: "shop", server_id: "srv_1", hostname: "shop.example.com" } as App;

const primary: Domain = {
  id: "dom_1", app_id: "app_1", hostname: "shop.example.com", path_prefix: null, primary: true, tls: "acme", tls_follows_server: true,
  redirect_to: null, https_redirect: true, hsts: false, url: "https://shop.example.com", status: "serving", certificate: null,
  dns: { status: "ok", records: [{ type: "A", value: "203.0.113.7" }], checked_at: "2026-12-05T20:00:00.000Z" },
};
const apex: Domain = {
  ...primary, id: "dom_2", hostname: "example.com", primary: false, redirect_to: "dom_1", status: "redirecting", url: "https://example.com",
  dns: { status: "elsewhere", records: [{ type: "A", value: "198.51.100.9" }], checked_at: "2026-12-05T20:00:00.000Z" },
};

function routes(extra: Routes = {}): Routes {
  return {
    "GET /api/v1/apps/app_1/domains": { data: [primary, apex], page: 1, per_page: 50, total: 2 },
    "GET /api/v1/servers/srv_1/proxy": { server_id: "srv_1", tls: "acme", public_addresses: [] },
    "GET /api/v1/servers/srv_1": { id: "srv_1", name: "eu-1", facts: { addresses: ["203.0.113.7", "2001:db8::7"] } },
    ...extra,
  };
}

describe("Domains tab", () => {
  it("shows the certificate the server serves and Caddy's reason when it could not obtain one", async () => {
    const served: Domain = {
      ...primary,
      certificate: { subject: "shop.example.com", issuer: "R11 (Let's Encrypt)", not_before: "2026-11-01T00:00:00.000Z", not_after: "2027-01-30T00:00:00.000Z", sans: ["shop.example.com"] },
      certificate_check: { error: null, acme_error: null, acme_failed_at: null, checked_at: "2026-12-05T20:00:00.000Z" },
    };
    const failing: Domain = {
      ...apex, redirect_to: null, status: "serving",
      certificate_check: { error: "no certificate served for example.com", acme_error: "could not get certificate from issuer: connection refused", acme_failed_at: "2026-12-05T19:00:00.000Z", checked_at: "2026-12-05T20:00:00.000Z" },
    };
    renderAs(<DomainsPanel app={app} />, { role: "member", routes: routes({ "GET /api/v1/apps/app_1/domains": { data: [served, failing], page: 1, per_page: 50, total: 2 } }) });
    const good = (await screen.findByText("R11 (Let's Encrypt)")).closest("article") as HTMLElement;
    expect(within(good).queryByText(/Certificate problem/)).not.toBeInTheDocument();
    const bad = screen.getByText("could not get certificate from issuer: connection refused").closest("article") as HTMLElement;
    expect(bad).not.toBe(good);
    expect(within(bad).getByText("Certificate problem")).toBeInTheDocument();
    expect(within(bad).getByText("could not get certificate from issuer: connection refused")).toBeInTheDocument();
  });

  it("lists domains with DNS status, records found and the records to create", async () => {
    renderAs(<DomainsPanel app={app} />, { role: "member", routes: routes() });
    const card = (await screen.findByRole("article", { name: /example\.com$/ }));
    expect(within(card).getByText("DNS points elsewhere")).toBeInTheDocument();
    expect(within(card).getByText("A 198.51.100.9")).toBeInTheDocument();
    expect(within(card).getByText(/308 to/)).toHaveTextContent("shop.example.com");
    // The apex gets A and AAAA records to the server's reported addresses, and no CNAME advice.
    const toCreate = await within(card).findByRole("list", { name: "DNS records to create for example.com" });
    expect(within(toCreate).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["A example.com → 203.0.113.7", "AAAA example.com → 2001:db8::7"]);
    expect(within(card).getByText(/At the apex a CNAME is not allowed/)).toBeInTheDocument();
    const first = screen.getByRole("article", { name: /shop\.example\.com/ });
    expect(within(first).getByText("primary")).toBeInTheDocument();
    expect(within(first).queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
    expect(within(first).getByText(/Change the hostname in/)).toBeInTheDocument();
  });

  it("adds a domain and sends only what differs from the defaults", async () => {
    const user = userEvent.setup();
    const created = { ...primary, id: "dom_3", hostname: "www.example.com", primary: false, dns: { status: "pending_dns", records: [], checked_at: null } };
    const sent = renderAs(<DomainsPanel app={app} />, { role: "member", routes: routes({ "POST /api/v1/apps/app_1/domains": reply(201, created) }) });
    await user.click(await screen.findByRole("button", { name: "Add domain" }));
    const dialog = screen.getByRole("dialog", { name: "Add domain" });
    await user.type(within(dialog).getByLabelText("Hostname"), "www.example.com");
    await user.type(within(dialog).getByLabelText("Path prefix (optional)"), "/api");
    await user.selectOptions(within(dialog).getByLabelText("TLS"), "internal");
    await user.selectOptions(within(dialog).getByLabelText("Redirect"), "dom_1");
    await user.click(within(dialog).getByLabelText(/HSTS/));
    await user.click(within(dialog).getByLabelText("Redirect HTTP to HTTPS"));
    // A member cannot pick a custom certificate.
    expect(within(dialog).getByRole("option", { name: /Custom.*admin only/ })).toBeDisabled();
    await user.click(within(dialog).getByRole("button", { name: "Add domain" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(sent).toEqual([
      { method: "POST", path: "/api/v1/apps/app_1/domains", body: { hostname: "www.example.com", path_prefix: "/api", tls: "internal", redirect_to: "dom_1", https_redirect: false, hsts: true } },
    ]);
    expect(await screen.findByText(/www\.example\.com added/)).toBeInTheDocument();
  });

  it("shows 409 hostname_taken at the hostname and a 400 at the field it names", async () => {
    const user = userEvent.setup();
    let answer = apiError(409, "hostname_taken", "this hostname is already in use");
    renderAs(<DomainsPanel app={app} />, { role: "member", routes: routes({ "POST /api/v1/apps/app_1/domains": () => answer }) });
    await user.click(await screen.findByRole("button", { name: "Add domain" }));
    const dialog = screen.getByRole("dialog", { name: "Add domain" });
    const hostname = within(dialog).getByLabelText("Hostname");
    await user.type(hostname, "taken.example.com");
    await user.click(within(dialog).getByRole("button", { name: "Add domain" }));
    expect(await within(dialog).findByText("this hostname is already in use")).toBeInTheDocument();
    expect(hostname).toHaveAttribute("aria-invalid", "true");
    expect(hostname).toHaveAccessibleDescription(/this hostname is already in use/);

    answer = apiError(400, "validation_failed", "path_prefix may not contain ..", { field: "path_prefix" });
    await user.type(within(dialog).getByLabelText("Path prefix (optional)"), "/a/..");
    await user.click(within(dialog).getByRole("button", { name: "Add domain" }));
    expect(await within(dialog).findByText("path_prefix may not contain ..")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Path prefix (optional)")).toHaveAttribute("aria-invalid", "true");
    expect(hostname).not.toHaveAttribute("aria-invalid");
  });

  it("lets an admin upload a custom certificate", async () => {
    const user = userEvent.setup();
    const sent = renderAs(<DomainsPanel app={app} />, { role: "admin", routes: routes({ "PATCH /api/v1/domains/dom_2": { ...apex, tls: "custom" } }) });
    await user.click(await screen.findByRole("button", { name: "Edit example.com" }));
    const dialog = screen.getByRole("dialog", { name: "Edit example.com" });
    await user.selectOptions(within(dialog).getByLabelText("TLS"), "custom");
    await user.type(within(dialog).getByLabelText(/^Certificate chain/), "CHAIN");
    await user.type(within(dialog).getByLabelText(/^Private key/), "KEY");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(sent).toEqual([{ method: "PATCH", path: "/api/v1/domains/dom_2", body: { certificate: { chain: "CHAIN", key: "KEY" } } }]));
  });

  it("checks DNS now and removes a domain after naming it", async () => {
    const user = userEvent.setup();
    const sent = renderAs(<DomainsPanel app={app} />, {
      role: "member",
      routes: routes({ "POST /api/v1/domains/dom_2/check": { ...apex, dns: { status: "ok", records: [], checked_at: null } }, "DELETE /api/v1/domains/dom_2": reply(204) }),
    });
    await user.click(await screen.findByRole("button", { name: "Check now example.com" }));
    expect(await screen.findByText("example.com: DNS ok")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Remove example.com" }));
    const dialog = screen.getByRole("dialog", { name: "Remove example.com?" });
    await user.click(within(dialog).getByRole("button", { name: "Remove domain" }));
    await waitFor(() => expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual(["POST /api/v1/domains/dom_2/check", "DELETE /api/v1/domains/dom_2"]));
  });

  it("shows a viewer the domains and no buttons", async () => {
    renderAs(<DomainsPanel app={app} />, { role: "viewer", routes: routes() });
    await screen.findByRole("article", { name: /example\.com$/ });
    await screen.findByRole("list", { name: "DNS records to create for example.com" });
    expect(screen.queryAllByRole("button")).toHaveLength(0);
  });
});
