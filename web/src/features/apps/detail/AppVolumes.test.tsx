import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAs, reply } from "../domains/testing";
import { page, restore, s3Destination, succeeded } from "../../backups/fixtures";
import type { Backup, Restore } from "../../backups/types";
import type { App } from "../shared/types";
import { AppVolumes } from "./AppVolumes";

afterEach(() => vi.unstubAllGlobals());

const app = {
  id: "app_1",
  name: "web",
  status: "running",
  settings: {
    volumes: [
      { source: "team_1-data", target: "/srv/data" },
      { source: "/etc/ssl", target: "/certs" },
    ],
  },
} as App;

const volumeBackup: Backup = {
  ...succeeded,
  id: "bkp_v",
  subject: "volume",
  service_id: null,
  service_name: "web",
  app_id: "app_1",
  volume: "team_1-data",
  mount_target: "/srv/data",
  engine: "volume",
};

function card(role: string, routes: Record<string, unknown> = {}) {
  return renderAs(<AppVolumes app={app} />, {
    role,
    routes: {
      "GET /api/v1/apps/app_1/backups": page([volumeBackup]),
      "GET /api/v1/backup-destinations": { data: [s3Destination], page: 1, per_page: 50, total: 1 },
      ...routes,
    },
  });
}

describe("App Volumes card", () => {
  it("lists the named volumes with Back up now, a host path as not backed up, and the volumes' backups", async () => {
    const sent = card("member", { "POST /api/v1/apps/app_1/volumes/team_1-data/backups": reply(202, { ...volumeBackup, status: "running" }) });
    const data = await screen.findByRole("listitem", { name: "Volume team_1-data" });
    expect(within(data).getByText("/srv/data")).toBeInTheDocument();
    const host = screen.getByRole("listitem", { name: "Volume /etc/ssl" });
    expect(within(host).getByText("a host path: not backed up by Berth")).toBeInTheDocument();
    expect(within(host).queryByRole("button")).not.toBeInTheDocument();
    const row = await screen.findByRole("row", { name: "Backup bkp_v" });
    expect(within(row).getByText("team_1-data")).toBeInTheDocument();
    await waitFor(() => expect(within(data).getByRole("button", { name: "Back up team_1-data now" })).toBeEnabled());
    await userEvent.setup().click(within(data).getByRole("button", { name: "Back up team_1-data now" }));
    await waitFor(() =>
      expect(sent).toEqual([{ method: "POST", path: "/api/v1/apps/app_1/volumes/team_1-data/backups", body: { destination_id: "bdst_1" } }]),
    );
  });

  it("restores a volume backup only into a fresh volume, confirmed with the app's name, and follows the redeploy", async () => {
    const user = userEvent.setup();
    const started: Restore = { ...restore, id: "rst_v", backup_id: "bkp_v", service_id: null, app_id: "app_1", new_volume: "team_1-data-r1", step: "restoring" };
    const redeploying: Restore = { ...started, step: "redeploying", job_id: "job_9", deployment_id: "dep_9" };
    const sent = card("member", {
      "POST /api/v1/backups/bkp_v/restore": reply(202, started),
      "GET /api/v1/restores/rst_v": redeploying,
    });
    await user.click(await screen.findByRole("button", { name: "Restore backup bkp_v" }));
    const dialog = screen.getByRole("dialog", { name: "Restore web from this backup?" });
    expect(within(dialog).queryByRole("radio", { name: "A new service" })).not.toBeInTheDocument();
    expect(within(dialog).getByText(/is kept, untouched/)).toBeInTheDocument();
    const go = within(dialog).getByRole("button", { name: "Restore and redeploy" });
    expect(go).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/to confirm/), "web");
    await user.click(go);
    await waitFor(() => expect(sent).toEqual([{ method: "POST", path: "/api/v1/backups/bkp_v/restore", body: { confirm: "web" } }]));
    const steps = await screen.findByRole("list", { name: "Restore steps" });
    expect(within(steps).getByText(/Checking and filling a fresh volume — done/)).toBeInTheDocument();
    expect(within(steps).getByText(/Redeploying the app onto it — running…/)).toBeInTheDocument();
    expect(within(steps).getByRole("link", { name: "Deployment" })).toHaveAttribute("href", "/deployments/dep_9");
  });

  it("shows each named volume's schedule, and a member sets one for the volume (none for a host path)", async () => {
    const policy = {
      service_id: "", subject: "volume", app_id: "app_1", mount_target: "/srv/data", schedule: "0 3 * * *", timezone: "UTC",
      destination_id: "bdst_1", enabled: true, retention: { keep_last: 3, keep_daily: 7, keep_weekly: 0, keep_monthly: 0 },
      next_run_at: "2026-12-08T03:00:00.000Z", last_run: null, created_by: "usr_1", created_at: "2026-12-07T00:00:00.000Z",
      updated_at: "2026-12-07T00:00:00.000Z",
    };
    const sent = card("member", { "PUT /api/v1/apps/app_1/volumes/team_1-data/backup-policy": policy });
    const schedule = await screen.findByRole("region", { name: "Schedule of team_1-data" });
    expect(screen.queryByRole("region", { name: "Schedule of /etc/ssl" })).not.toBeInTheDocument();
    expect(await within(schedule).findByText("No scheduled backups: back up on demand only.")).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(within(schedule).getByRole("button", { name: "Set a schedule" }));
    const cron = within(schedule).getByLabelText("Cron schedule");
    await user.clear(cron);
    await user.type(cron, "0 3 * * *");
    await waitFor(() => expect(within(schedule).getByRole("button", { name: "Save schedule" })).toBeEnabled());
    await user.click(within(schedule).getByRole("button", { name: "Save schedule" }));
    await waitFor(() =>
      expect(sent).toEqual([
        {
          method: "PUT",
          path: "/api/v1/apps/app_1/volumes/team_1-data/backup-policy",
          body: { schedule: "0 3 * * *", timezone: "UTC", destination_id: "bdst_1", enabled: true, retention: { keep_last: 7, keep_daily: 0, keep_weekly: 0, keep_monthly: 0 } },
        },
      ]),
    );
  });

  it("shows a viewer the volume's schedule without edit buttons", async () => {
    card("viewer", {
      "GET /api/v1/apps/app_1/volumes/team_1-data/backup-policy": {
        service_id: "", subject: "volume", app_id: "app_1", mount_target: "/srv/data", schedule: "@daily", timezone: "Europe/Berlin",
        destination_id: "bdst_1", enabled: true, retention: { keep_last: 3, keep_daily: 7, keep_weekly: 0, keep_monthly: 0 },
        next_run_at: null, last_run: null, created_by: "usr_1", created_at: "2026-12-07T00:00:00.000Z", updated_at: "2026-12-07T00:00:00.000Z",
      },
    });
    const schedule = await screen.findByRole("region", { name: "Schedule of team_1-data" });
    const facts = await within(schedule).findByLabelText("Backup schedule");
    expect(facts).toHaveTextContent("@daily (Europe/Berlin)");
    expect(facts).toHaveTextContent("last 3, 7 daily");
    expect(within(schedule).queryByRole("button", { name: "Edit schedule" })).not.toBeInTheDocument();
  });

  it("gives viewers the list but no Back up now and no Restore", async () => {
    card("viewer");
    expect(await screen.findByRole("row", { name: "Backup bkp_v" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Back up .* now/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Restore/ })).not.toBeInTheDocument();
  });
});
