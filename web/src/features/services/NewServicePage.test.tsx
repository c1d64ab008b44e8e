import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { apiError, renderAs, reply } from "../apps/domains/testing";
import { names, service } from "./fixtures";
import NewServicePage from "./NewServicePage";

afterEach(() => vi.unstubAllGlobals());

async function fillIn(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText("Name"), "cache");
  await user.selectOptions(screen.getByLabelText("Project"), await screen.findByRole("option", { name: "shop" }));
  await user.selectOptions(screen.getByLabelText("Server"), await screen.findByRole("option", { name: /eu-1/ }));
  await user.selectOptions(screen.getByLabelText("Engine"), "valkey");
}

describe("Create a service", () => {
  it("offers the engine's versions and sends what the member chose, without publishing", async () => {
    const user = userEvent.setup();
    const sent = renderAs(<NewServicePage />, { role: "member", routes: { ...names, "POST /api/v1/services": reply(201, { ...service, id: "svc_9", name: "cache" }) } });
    await fillIn(user);
    const versions = within(screen.getByLabelText("Version")).getAllByRole("option").map((o) => o.textContent);
    expect(versions).toEqual(["7", "8"]);
    expect(screen.getByLabelText("Version")).toHaveValue("8");
    expect(screen.getByLabelText("Image (optional)")).toHaveAttribute("placeholder", "valkey/valkey:8");
    expect(screen.queryByText(/Publish port/)).not.toBeInTheDocument();
    await user.clear(screen.getByLabelText("Memory"));
    await user.type(screen.getByLabelText("Memory"), "256M");
    await user.click(screen.getByRole("button", { name: "Create service" }));
    await waitFor(() =>
      expect(sent).toEqual([
        { method: "POST", path: "/api/v1/services", body: { name: "cache", engine: "valkey", project_id: "prj_1", server_id: "srv_1", version: "8", memory_bytes: 256 * 1024 * 1024 } },
      ]),
    );
  });

  it("lets an admin publish the port, with the warning, and shows the API's refusal", async () => {
    const user = userEvent.setup();
    const sent = renderAs(<NewServicePage />, { role: "admin", routes: { ...names, "POST /api/v1/services": apiError(409, "service_name_taken", "a service named cache already exists") } });
    await fillIn(user);
    await user.click(screen.getByLabelText(/Publish port 6379 on the server/));
    expect(screen.getByRole("note")).toHaveTextContent(/guarded only by the service's password/);
    await user.type(screen.getByLabelText("Host port"), "16379");
    await user.click(screen.getByRole("button", { name: "Create service" }));
    expect(await screen.findByText("a service named cache already exists")).toBeInTheDocument();
    expect(sent[0]?.body).toMatchObject({ publish: { host_ip: "127.0.0.1", host_port: 16379 } });
  });

  it("marks what is missing before sending anything", async () => {
    const user = userEvent.setup();
    const sent = renderAs(<NewServicePage />, { role: "member", routes: names });
    await user.click(await screen.findByRole("button", { name: "Create service" }));
    expect(screen.getByText("Choose a project")).toBeInTheDocument();
    expect(screen.getByText("Choose a server")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(sent).toEqual([]);
  });

  it("tells a viewer they cannot create services", async () => {
    renderAs(<NewServicePage />, { role: "viewer", routes: names });
    expect(await screen.findByText(/Viewers cannot create services/)).toBeInTheDocument();
  });
});
