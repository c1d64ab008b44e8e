import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAs } from "../apps/domains/testing";
import { cache, names, service } from "./fixtures";
import ServiceListPage from "./ServiceListPage";

afterEach(() => vi.unstubAllGlobals());

describe("Services list", () => {
  it("lists services with engine, version, status, project, server and link count, filtered by project", async () => {
    const user = userEvent.setup();
    const asked: string[] = [];
    renderAs(<ServiceListPage />, {
      role: "member",
      routes: {
        ...names,
        "GET /api/v1/services": (_body: unknown, request: Request) => {
          const project = new URL(request.url).searchParams.get("project_id");
          asked.push(project ?? "");
          const data = [service, cache].filter((s) => !project || s.project_id === project);
          return { data, page: 1, per_page: 50, total: data.length };
        },
      },
    });
    const row = (await screen.findByRole("link", { name: "orders-db" })).closest("tr") as HTMLElement;
    expect(within(row).getByText("PostgreSQL 16")).toBeInTheDocument();
    expect(within(row).getByText("running")).toBeInTheDocument();
    expect(await within(row).findByRole("link", { name: "shop" })).toBeInTheDocument();
    expect(within(row).getByText("eu-1")).toBeInTheDocument();
    expect(within(row).getByText("1")).toHaveAttribute("title", "shop-web");
    const other = screen.getByRole("link", { name: "cache" }).closest("tr") as HTMLElement;
    expect(within(other).getByText("Redis 7")).toBeInTheDocument();
    expect(within(other).getByText("deploying")).toBeInTheDocument();
    expect(within(other).getByText("0")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Create a service" })).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText("Project"), "prj_2");
    await waitFor(() => expect(screen.queryByRole("link", { name: "orders-db" })).not.toBeInTheDocument());
    expect(screen.getByRole("link", { name: "cache" })).toBeInTheDocument();
    expect(asked).toContain("prj_2");
  });

  it("offers viewers no create button", async () => {
    renderAs(<ServiceListPage />, { role: "viewer", routes: { ...names, "GET /api/v1/services": { data: [service], page: 1, per_page: 50, total: 1 } } });
    expect(await screen.findByRole("link", { name: "orders-db" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Create a service" })).not.toBeInTheDocument();
  });
});
