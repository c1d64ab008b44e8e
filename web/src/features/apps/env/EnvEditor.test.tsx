import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderSignedIn } from "../test/renderSignedIn";
import { EnvEditor } from "./EnvEditor";

afterEach(() => vi.unstubAllGlobals());

const list = {
  data: [
    { key: "DB_URL", value: "********", secret: true, inherited_from: null, updated_at: "" },
    { key: "LOG", value: "info", secret: false, inherited_from: null, updated_at: "" },
    { key: "REGION", value: "eu", secret: false, inherited_from: "project", updated_at: "" },
  ],
  page: 1,
  per_page: 50,
  total: 3,
};

describe("EnvEditor", () => {
  it("masks secrets and reveals one for an admin", async () => {
    const user = userEvent.setup();
    const fetchMock = renderSignedIn(<EnvEditor owner={{ kind: "apps", id: "app_1" }} ownerName="web" />, {
      role: "admin",
      routes: { "GET /api/v1/apps/app_1/env": list, "POST /api/v1/apps/app_1/env/DB_URL/reveal": { key: "DB_URL", value: "postgres://db" } },
    });
    expect(await screen.findByText("********")).toBeInTheDocument();
    expect(screen.getByText("info")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Reveal DB_URL" }));
    expect(await screen.findByText("postgres://db")).toBeInTheDocument();
    expect(screen.queryByText("********")).not.toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([r]) => r.method === "POST" && r.url.endsWith("/env/DB_URL/reveal"))).toBe(true);
  });

  it("offers a member no reveal, and no delete of an inherited var", async () => {
    renderSignedIn(<EnvEditor owner={{ kind: "projects", id: "prj_1" }} ownerName="shop" />, {
      role: "member",
      routes: { "GET /api/v1/projects/prj_1/env": list },
    });
    await screen.findByText("********");
    await waitFor(() => expect(screen.getByRole("button", { name: "Add variable" })).toBeInTheDocument());
    expect(screen.queryByRole("button", { name: /Reveal/ })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Delete LOG" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete REGION" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Override REGION" })).toBeInTheDocument();
  });

  it("shows a viewer the list and no buttons", async () => {
    renderSignedIn(<EnvEditor owner={{ kind: "apps", id: "app_1" }} ownerName="web" />, { role: "viewer", routes: { "GET /api/v1/apps/app_1/env": list } });
    await screen.findByText("info");
    expect(screen.queryAllByRole("button")).toHaveLength(0);
  });

  it("saves an edited secret without a new value as the mask (keeps it)", async () => {
    const user = userEvent.setup();
    let sent: unknown = null;
    renderSignedIn(<EnvEditor owner={{ kind: "apps", id: "app_1" }} ownerName="web" />, {
      role: "member",
      routes: {
        "GET /api/v1/apps/app_1/env": list,
        "PATCH /api/v1/apps/app_1/env": async (r: Request) => { sent = await r.clone().json(); return list; },
      },
    });
    await waitFor(() => expect(screen.getByRole("button", { name: "Edit DB_URL" })).toBeInTheDocument());
    await user.click(screen.getByRole("button", { name: "Edit DB_URL" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(sent).toEqual({ vars: [{ key: "DB_URL", value: "********", secret: true }] }));
  });
});
