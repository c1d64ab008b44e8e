import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiKeysTab } from "./ApiKeysTab";
import { renderSignedIn, stubApi } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const created = {
  api_key: { id: "key_1", name: "ci", role: "member", preview: "abcd1234", created_at: "2026-01-01T00:00:00Z", expires_at: null, last_used_at: null },
  raw_key: "bk_secret_value_abcd1234",
  expiry_capped: false,
};

describe("creating an API key", () => {
  it("shows the raw key once, with copy and a warning, and never again after closing", async () => {
    let listed: unknown[] = [];
    let sent: unknown = null;
    stubApi("admin", {
      "GET /api/v1/api-keys": () => ({ data: listed, page: 1, per_page: 20, total: listed.length }),
      "POST /api/v1/api-keys": async (request) => {
        sent = await request.json();
        listed = [created.api_key];
        return new Response(JSON.stringify(created), { status: 201, headers: { "Content-Type": "application/json" } });
      },
    });
    const user = userEvent.setup();
    renderSignedIn(<ApiKeysTab />, { url: "/team/api-keys" });
    await user.click(await screen.findByRole("button", { name: /create key/i }));
    await user.type(screen.getByLabelText("Name"), "ci");
    await user.selectOptions(screen.getByLabelText("Role"), "member");
    await user.selectOptions(screen.getByLabelText("Expires"), "never");
    await user.click(screen.getByRole("button", { name: "Create key" }));

    const dialog = await screen.findByRole("dialog", { name: /API key ci created/ });
    expect(within(dialog).getByText(created.raw_key)).toBeInTheDocument();
    expect(within(dialog).getByText(/you will not see it again/i)).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: /copy key/i })).toBeInTheDocument();
    expect(sent).toEqual({ name: "ci", role: "member" });

    await user.click(within(dialog).getByRole("button", { name: /I have copied it/ }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    // The list shows the new key by its preview only; the raw key is gone from the page.
    expect(await screen.findByText("…abcd1234")).toBeInTheDocument();
    expect(screen.queryByText(created.raw_key)).toBeNull();
  });

  it("offers no role above one's own (an admin: up to admin)", async () => {
    stubApi("admin", { "GET /api/v1/api-keys": () => ({ data: [], page: 1, per_page: 20, total: 0 }) });
    const user = userEvent.setup();
    renderSignedIn(<ApiKeysTab />, { url: "/team/api-keys" });
    await user.click(await screen.findByRole("button", { name: /create key/i }));
    const options = within(screen.getByLabelText("Role")).getAllByRole("option").map((o) => o.textContent);
    expect(options).toEqual(["viewer", "member", "admin"]);
  });
});
