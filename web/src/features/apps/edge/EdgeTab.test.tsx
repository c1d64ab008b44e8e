import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { App } from "../shared/types";
import { apiError, renderAs } from "../domains/testing";
import { EdgePanel } from "./EdgeTab";
import type { EdgeRules } from "./types";

afterEach(() => vi.unstubAllGlobals());

const app = { id: "app_1", name: "shop", server_id: "srv_1", current_deployment_id: "dep_1" } as App;

const rules: EdgeRules = {
  redirects: [{ path: "/old-pricing", to: "https://example.com/pricing", status: 301 }],
  headers: { set: { "X-Frame-Options": "DENY" }, remove: ["Server"] },
  allow_ips: ["203.0.113.0/24", "2001:db8::/32"],
  basic_auth: { users: [{ username: "ops", has_password: true }, { username: "ci", has_password: true }] },
  max_body_bytes: 10485760,
  maintenance: { enabled: false, retry_after_seconds: 300, message: "" },
  updated_at: "2026-12-05T20:00:00.000Z",
};

describe("Edge tab", () => {
  it("shows the document and sends it back whole, passwords only where typed", async () => {
    const user = userEvent.setup();
    const sent = renderAs(<EdgePanel app={app} />, {
      role: "member",
      routes: { "GET /api/v1/apps/app_1/edge": rules, "PUT /api/v1/apps/app_1/edge": (body: unknown) => ({ ...(body as object), basic_auth: { users: [{ username: "ops", has_password: true }, { username: "deploy", has_password: true }] }, updated_at: "2026-12-05T21:00:00.000Z" }) },
    });
    expect(await screen.findByDisplayValue("/old-pricing")).toBeInTheDocument();
    expect(screen.getByLabelText("IP allow-list")).toHaveValue("203.0.113.0/24\n2001:db8::/32");
    expect(screen.getByLabelText("Largest request body")).toHaveValue(10);
    expect(screen.getByLabelText("Unit")).toHaveValue(String(1024 ** 2));
    expect(screen.getAllByText("password set")).toHaveLength(2);
    expect(screen.getByRole("button", { name: "Save rules" })).toBeDisabled();

    await user.click(screen.getByLabelText(/Maintenance mode/));
    await user.clear(screen.getByLabelText("Retry-After (seconds)"));
    await user.type(screen.getByLabelText("Retry-After (seconds)"), "600");
    await user.click(screen.getByRole("button", { name: "Replace password of ops" }));
    await user.type(screen.getByLabelText("New password for ops"), "new secret");
    await user.click(screen.getByRole("button", { name: "Remove user ci" }));
    await user.click(screen.getByRole("button", { name: "Add user" }));
    await user.type(screen.getByLabelText("User name"), "deploy");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Save rules" }));

    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({
      method: "PUT",
      path: "/api/v1/apps/app_1/edge",
      body: {
        redirects: [{ path: "/old-pricing", to: "https://example.com/pricing", status: 301 }],
        headers: { set: { "X-Frame-Options": "DENY" }, remove: ["Server"] },
        allow_ips: ["203.0.113.0/24", "2001:db8::/32"],
        basic_auth: { users: [{ username: "ops", password: "new secret" }, { username: "deploy", password: "correct horse" }] },
        max_body_bytes: 10485760,
        maintenance: { enabled: true, retry_after_seconds: 600 },
      },
    });
    expect(await screen.findByText(/Edge rules saved/)).toBeInTheDocument();
    // The answer replaces the form: passwords are "set" now, nothing typed is kept.
    expect(screen.getAllByText("password set")).toHaveLength(2);
    expect(screen.getByText(/Maintenance is on/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Save rules" })).toBeDisabled();
  });

  it("shows a 400 at the row it names, counting only the rows sent", async () => {
    const user = userEvent.setup();
    renderAs(<EdgePanel app={app} />, {
      role: "member",
      routes: {
        "GET /api/v1/apps/app_1/edge": { ...rules, redirects: [] },
        "PUT /api/v1/apps/app_1/edge": apiError(400, "validation_failed", "redirects[0].to must be an http(s) URL or a path", { field: "redirects[0].to" }),
      },
    });
    await user.click(await screen.findByRole("button", { name: "Add redirect" }));
    await user.click(screen.getByRole("button", { name: "Add redirect" }));
    // The first row stays empty (not sent); the second is the body's redirects[0].
    await user.type(screen.getByLabelText("Path of redirect 2"), "/docs/*");
    await user.type(screen.getByLabelText("To (redirect 2)"), "javascript:alert(1)");
    await user.click(screen.getByRole("button", { name: "Save rules" }));
    const to = screen.getByLabelText("To (redirect 2)");
    await waitFor(() => expect(to).toHaveAttribute("aria-invalid", "true"));
    expect(to).toHaveAccessibleDescription("redirects[0].to must be an http(s) URL or a path");
    expect(screen.getByLabelText("Path of redirect 2")).not.toHaveAttribute("aria-invalid");
    expect(screen.getByLabelText("To (redirect 1)")).not.toHaveAttribute("aria-invalid");
    expect(to).toHaveFocus();
    expect(screen.getByText(/Not saved: see the field marked above/)).toBeInTheDocument();
  });

  it("names the line of the allow-list the API refused", async () => {
    const user = userEvent.setup();
    renderAs(<EdgePanel app={app} />, {
      role: "member",
      routes: { "GET /api/v1/apps/app_1/edge": rules, "PUT /api/v1/apps/app_1/edge": apiError(400, "validation_failed", "allow_ips[2] is not an address or CIDR", { field: "allow_ips[2]" }) },
    });
    const list = await screen.findByLabelText("IP allow-list");
    await user.type(list, "\n\n10.0.0.300");
    await user.click(screen.getByRole("button", { name: "Save rules" }));
    expect(await screen.findByText("Line 4: allow_ips[2] is not an address or CIDR")).toBeInTheDocument();
    expect(list).toHaveAttribute("aria-invalid", "true");
  });

  it("shows a viewer the rules with nothing to press or type", async () => {
    renderAs(<EdgePanel app={app} />, { role: "viewer", routes: { "GET /api/v1/apps/app_1/edge": rules } });
    expect(await screen.findByDisplayValue("/old-pricing")).toBeDisabled();
    expect(screen.queryAllByRole("button")).toHaveLength(0);
    expect(screen.getByLabelText("IP allow-list")).toBeDisabled();
    expect(within(document.body).queryByLabelText(/password/i)).not.toBeInTheDocument();
  });
});
