import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { App } from "../apps/shared/types";
import { apiError, renderAs, reply } from "../apps/domains/testing";
import { AppLinksPanel } from "./AppLinksTab";
import { cache, link, service } from "./fixtures";

afterEach(() => vi.unstubAllGlobals());

const app = { id: "app_1", name: "shop-web", project_id: "prj_1", server_id: "srv_1" } as App;

describe("An app's Services tab", () => {
  it("lists the app's links with the env vars each wrote", async () => {
    renderAs(<AppLinksPanel app={app} />, { role: "viewer", routes: { "GET /api/v1/apps/app_1/links": [link] } });
    const row = (await screen.findByRole("link", { name: "orders-db" })).closest("tr") as HTMLElement;
    expect(row).toHaveTextContent("PostgreSQL");
    expect(row).toHaveTextContent("DATABASE_URL, DATABASE_HOST, DATABASE_PORT");
    expect(screen.queryByRole("button", { name: /Link a service|Unlink/ })).not.toBeInTheDocument();
  });

  it("links a service of the app's project and server with a prefix, and shows a refusal", async () => {
    const user = userEvent.setup();
    let asked = "";
    let answer: unknown = apiError(409, "env_key_taken", "the app already has REDIS_URL: link with an env_prefix");
    const sent = renderAs(<AppLinksPanel app={app} />, {
      role: "member",
      routes: {
        "GET /api/v1/apps/app_1/links": [link],
        "GET /api/v1/services": (_body: unknown, request: Request) => {
          asked = new URL(request.url).search;
          return { data: [service, { ...cache, project_id: "prj_1" }], page: 1, per_page: 100, total: 2 };
        },
        "POST /api/v1/apps/app_1/links": () => answer,
      },
    });
    await user.click(await screen.findByRole("button", { name: "Link a service" }));
    const dialog = screen.getByRole("dialog", { name: "Link a service" });
    // The one not linked yet is offered first.
    await waitFor(() => expect(within(dialog).getByLabelText("Service")).toHaveValue("svc_2"));
    expect(asked).toContain("project_id=prj_1");
    expect(asked).toContain("server_id=srv_1");
    await user.click(within(dialog).getByRole("button", { name: "Link" }));
    expect(await within(dialog).findByText(/already has REDIS_URL/)).toBeInTheDocument();
    answer = reply(201, { ...link, service_id: "svc_2", service_name: "cache", engine: "redis", env_prefix: "CACHE_", env_keys: ["CACHE_REDIS_URL"] });
    await user.type(within(dialog).getByLabelText("Env prefix (optional)"), "CACHE_");
    await user.click(within(dialog).getByRole("button", { name: "Link" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(sent.map((s) => s.body)).toEqual([{ service_id: "svc_2" }, { service_id: "svc_2", env_prefix: "CACHE_" }]);
    expect(await screen.findByText(/Deploy shop-web to use them/)).toBeInTheDocument();
  });

  it("unlinks after a confirmation naming the vars that go", async () => {
    const user = userEvent.setup();
    const sent = renderAs(<AppLinksPanel app={app} />, { role: "member", routes: { "GET /api/v1/apps/app_1/links": [link], "DELETE /api/v1/apps/app_1/links/svc_1": reply(204) } });
    await user.click(await screen.findByRole("button", { name: "Unlink orders-db" }));
    const dialog = screen.getByRole("dialog", { name: "Unlink orders-db?" });
    expect(dialog).toHaveTextContent("DATABASE_PASSWORD");
    await user.click(within(dialog).getByRole("button", { name: "Unlink" }));
    await waitFor(() => expect(sent).toEqual([{ method: "DELETE", path: "/api/v1/apps/app_1/links/svc_1", body: null }]));
  });

  it("asks for a project first when the app has none", async () => {
    renderAs(<AppLinksPanel app={{ ...app, project_id: null }} />, { role: "member", routes: { "GET /api/v1/apps/app_1/links": [] } });
    expect(await screen.findByText(/put this app in a project/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Link a service" })).not.toBeInTheDocument();
  });
});
