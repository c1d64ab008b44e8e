import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import DestinationsPage from "./DestinationsPage";
import { apiError, renderAs, reply, type Routes } from "../apps/domains/testing";
import type { Destination } from "./types";

afterEach(() => vi.unstubAllGlobals());

const offsite: Destination = {
  id: "bdst_1",
  name: "offsite",
  kind: "s3",
  secret_set: true,
  s3: { endpoint: "https://s3.example.com", region: "us-east-1", bucket: "backups", prefix: "prod/", path_style: false, allow_http: false, access_key_hint: "AKIA…MPLE" },
  last_test: null,
  created_at: "2026-12-05T20:00:00.000Z",
  updated_at: "2026-12-05T20:00:00.000Z",
};

function routes(extra: Routes = {}): Routes {
  return {
    "GET /api/v1/backup-destinations": { data: [offsite], page: 1, per_page: 50, total: 1 },
    ...extra,
  };
}

describe("Backup destinations", () => {
  it("lists destinations for a viewer without admin actions", async () => {
    renderAs(<DestinationsPage />, { role: "viewer", routes: routes() });
    const row = (await screen.findByText("offsite")).closest("tr") as HTMLElement;
    expect(within(row).getByText("backups/prod/ at https://s3.example.com")).toBeInTheDocument();
    expect(within(row).getByText("never")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Add destination" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Test offsite" })).not.toBeInTheDocument();
  });

  it("tests a destination and shows each step, with the API's message for a failed one", async () => {
    const user = userEvent.setup();
    const answer = {
      ok: false,
      steps: [{ step: "write", ok: false, ms: 12, error: "the access key or secret is wrong", code: "s3_credentials_rejected" }],
      tested_at: "2026-12-06T08:00:00.000Z",
      host_key_fingerprint: null,
      destination: offsite,
    };
    const sent = renderAs(<DestinationsPage />, { role: "admin", routes: routes({ "POST /api/v1/backup-destinations/bdst_1/test": answer }) });
    await user.click(await screen.findByRole("button", { name: "Test offsite" }));
    const steps = await screen.findByRole("list", { name: "Test of offsite" });
    expect(within(steps).getByText(/failed: the access key or secret is wrong/)).toBeInTheDocument();
    expect(screen.getByText("The test failed.")).toBeInTheDocument();
    expect(sent).toEqual([{ method: "POST", path: "/api/v1/backup-destinations/bdst_1/test", body: null }]);
  });

  it("adds an SFTP destination after switching the kind, sending only the SFTP fields", async () => {
    const user = userEvent.setup();
    const created = { ...offsite, id: "bdst_2", name: "nas", kind: "sftp", s3: undefined, sftp: { host: "nas.example.com", port: 22, user: "backup", path: "/srv/backups", host_key_fingerprint: "", auth: "password" } };
    const sent = renderAs(<DestinationsPage />, { role: "admin", routes: routes({ "POST /api/v1/backup-destinations": reply(201, created) }) });
    await user.click(await screen.findByRole("button", { name: "Add destination" }));
    const dialog = screen.getByRole("dialog", { name: "Add backup destination" });
    await user.type(within(dialog).getByLabelText("Name"), "nas");
    await user.click(within(dialog).getByLabelText("SFTP folder"));
    expect(within(dialog).queryByLabelText("Bucket")).not.toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Host"), "nas.example.com");
    await user.type(within(dialog).getByLabelText("User"), "backup");
    await user.type(within(dialog).getByLabelText("Folder"), "/srv/backups");
    await user.type(within(dialog).getByLabelText("Password"), "hunter2 hunter2");
    await user.click(within(dialog).getByRole("button", { name: "Add destination" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(sent).toEqual([
      {
        method: "POST",
        path: "/api/v1/backup-destinations",
        body: { name: "nas", kind: "sftp", sftp: { host: "nas.example.com", user: "backup", path: "/srv/backups", password: "hunter2 hunter2" } },
      },
    ]);
  });

  it("shows the API's validation error at the field it names", async () => {
    const user = userEvent.setup();
    renderAs(<DestinationsPage />, {
      role: "admin",
      routes: routes({ "POST /api/v1/backup-destinations": apiError(400, "validation_failed", "endpoint must use https", { field: "s3.endpoint" }) }),
    });
    await user.click(await screen.findByRole("button", { name: "Add destination" }));
    const dialog = screen.getByRole("dialog", { name: "Add backup destination" });
    await user.type(within(dialog).getByLabelText("Name"), "offsite2");
    await user.type(within(dialog).getByLabelText("Endpoint"), "http://s3.example.com");
    await user.type(within(dialog).getByLabelText("Bucket"), "backups");
    await user.type(within(dialog).getByLabelText("Access key id"), "AKIA");
    await user.type(within(dialog).getByLabelText("Secret access key"), "secret");
    await user.click(within(dialog).getByRole("button", { name: "Add destination" }));
    const endpoint = within(dialog).getByLabelText("Endpoint");
    await waitFor(() => expect(endpoint).toHaveAttribute("aria-invalid", "true"));
    expect(within(dialog).getByText("endpoint must use https")).toBeInTheDocument();
  });

  it("removes a destination only after its name is typed", async () => {
    const user = userEvent.setup();
    const sent = renderAs(<DestinationsPage />, { role: "admin", routes: routes({ "DELETE /api/v1/backup-destinations/bdst_1": reply(204) }) });
    await user.click(await screen.findByRole("button", { name: "Remove offsite" }));
    const dialog = screen.getByRole("dialog", { name: "Remove offsite?" });
    const confirm = within(dialog).getByRole("button", { name: "Remove destination" });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByRole("textbox"), "offsite");
    await user.click(confirm);
    await waitFor(() => expect(sent).toEqual([{ method: "DELETE", path: "/api/v1/backup-destinations/bdst_1", body: null }]));
  });
});
