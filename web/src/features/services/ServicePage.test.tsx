import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import { apiError, renderAs, reply, type Routes as ApiRoutes } from "../apps/domains/testing";
import { names, service } from "./fixtures";
import ServiceLayout from "./ServiceLayout";
import ServiceOverview from "./ServiceOverview";
import ServiceSettings from "./ServiceSettings";
import type { Service } from "./types";

afterEach(() => vi.unstubAllGlobals());

function page(role: string, at: string, routes: ApiRoutes = {}, shown: Service = service) {
  return renderAs(
    <Routes>
      <Route path="/services" element={<p>All services</p>} />
      <Route path="/services/:id" element={<ServiceLayout />}>
        <Route index element={<ServiceOverview />} />
        <Route path="settings" element={<ServiceSettings />} />
      </Route>
    </Routes>,
    { role, at, routes: { ...names, "GET /api/v1/services/svc_1": shown, ...routes } },
  );
}

describe("Service page", () => {
  it("shows where apps reach it, what runs, its warnings and its linked apps", async () => {
    const published = { ...service, publish: { host_ip: "0.0.0.0", host_port: 15432 }, warnings: ["the service's port is published on the server at 0.0.0.0:15432"] };
    page("viewer", "/services/svc_1", {}, published);
    expect(await screen.findByRole("heading", { name: "orders-db" })).toBeInTheDocument();
    expect(screen.getByText("orders-db:5432")).toBeInTheDocument();
    expect(screen.getByText("berth-net-prj_1")).toBeInTheDocument();
    expect(screen.getByText("postgres:16")).toBeInTheDocument();
    expect(screen.getByText("512M")).toBeInTheDocument();
    expect(screen.getByText("0.5")).toBeInTheDocument();
    expect(screen.getByText("0.0.0.0:15432")).toBeInTheDocument();
    expect(screen.getByRole("note", { name: "Warnings" })).toHaveTextContent("published on the server at 0.0.0.0:15432");
    const linked = screen.getByRole("region", { name: "Linked apps" });
    expect(within(linked).getByRole("link", { name: "shop-web" })).toHaveAttribute("href", "/apps/app_1/services");
    expect(within(linked).getByText(/DATABASE_URL, DATABASE_HOST/)).toBeInTheDocument();
    // A viewer reads; nothing to start, stop or restart.
    expect(screen.queryByRole("button", { name: /Start|Stop|Restart/ })).not.toBeInTheDocument();
  });

  it("shows a failed service's status message and lets a member start it", async () => {
    const user = userEvent.setup();
    let now: Service = { ...service, status: "failed", status_message: "pulling postgres:16: manifest unknown" };
    const sent = page("member", "/services/svc_1", {
      "GET /api/v1/services/svc_1": () => now,
      "POST /api/v1/services/svc_1/start": () => {
        now = { ...service, status: "deploying" };
        return reply(202, now);
      },
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("pulling postgres:16: manifest unknown");
    await user.click(screen.getByRole("button", { name: "Start" }));
    await waitFor(() => expect(sent).toEqual([{ method: "POST", path: "/api/v1/services/svc_1/start", body: null }]));
    expect(await screen.findByText(/Starting orders-db/)).toBeInTheDocument();
    // While it deploys, no other operation is offered (the API would answer 409 service_busy).
    await waitFor(() => expect(screen.getByRole("button", { name: "Restart" })).toBeDisabled());
  });

  it("sends a minor upgrade, and shows the API's 422 for a major one", async () => {
    const user = userEvent.setup();
    let answer: unknown = apiError(422, "major_version_change", "16 → 17 is a major version change: back up, create a new service on 17 and restore into it");
    const sent = page("member", "/services/svc_1/settings", { "PATCH /api/v1/services/svc_1": () => answer });
    await user.selectOptions(await screen.findByLabelText("Version"), "17");
    expect(screen.queryByText(/Publish port/)).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save and redeploy" }));
    expect(await screen.findByText(/is a major version change: back up/)).toBeInTheDocument();
    expect(sent).toEqual([{ method: "PATCH", path: "/api/v1/services/svc_1", body: { version: "17" } }]);

    answer = { ...service, image: "postgres:16.4", status: "deploying", updated_at: "2026-12-06T07:30:00.000Z" };
    await user.selectOptions(screen.getByLabelText("Version"), "16");
    await user.clear(screen.getByLabelText("Image"));
    await user.type(screen.getByLabelText("Image"), "postgres:16.4");
    await user.click(screen.getByRole("button", { name: "Save and redeploy" }));
    await waitFor(() => expect(sent[1]).toEqual({ method: "PATCH", path: "/api/v1/services/svc_1", body: { image: "postgres:16.4" } }));
    expect(await screen.findByText(/orders-db changed; redeploying it/)).toBeInTheDocument();
  });

  it("deletes only after the service's name is typed, passing it as ?confirm=", async () => {
    const user = userEvent.setup();
    let deleted = "";
    page("member", "/services/svc_1/settings", {
      "DELETE /api/v1/services/svc_1": (_body: unknown, request: Request) => {
        deleted = new URL(request.url).search;
        return reply(202, { ...service, status: "deleting" });
      },
    });
    await user.click(await screen.findByRole("button", { name: "Delete service" }));
    const dialog = screen.getByRole("dialog", { name: "Delete service orders-db?" });
    const confirm = within(dialog).getByRole("button", { name: "Delete service and data" });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/to confirm/), "orders-db");
    await user.click(confirm);
    expect(await screen.findByText("All services")).toBeInTheDocument();
    expect(deleted).toBe("?confirm=orders-db");
  });

  it("shows admins the published port setting with its warning, and viewers no settings", async () => {
    page("admin", "/services/svc_1/settings");
    expect(await screen.findByLabelText(/Publish port 5432 on the server/)).toBeInTheDocument();
    expect(screen.getByText(/guarded only by the service's password/)).toBeInTheDocument();
  });

  it("gives viewers no settings to change", async () => {
    page("viewer", "/services/svc_1/settings");
    expect(await screen.findByText(/Viewers cannot change services/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete service" })).not.toBeInTheDocument();
  });
});
