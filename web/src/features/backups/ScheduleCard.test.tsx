import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { apiError, renderAs, reply } from "../apps/domains/testing";
import { s3Destination, sftpDestination } from "./fixtures";
import { ScheduleCard } from "./ScheduleCard";
import type { BackupPolicy } from "./types";

afterEach(() => vi.unstubAllGlobals());

const policy: BackupPolicy = {
  service_id: "svc_1", schedule: "30 2 * * *", timezone: "Europe/Berlin", destination_id: "bdst_1", enabled: true,
  retention: { keep_last: 7, keep_daily: 14, keep_weekly: 0, keep_monthly: 12 },
  next_run_at: "2026-12-07T01:30:00.000Z", last_run: { backup_id: "bkp_2", status: "succeeded", at: "2026-12-06T01:30:00.000Z", error: null },
  created_by: "usr_1", created_at: "2026-12-01T00:00:00.000Z", updated_at: "2026-12-01T00:00:00.000Z",
};

const destinations = { "GET /api/v1/backup-destinations": { data: [s3Destination, sftpDestination], page: 1, per_page: 50, total: 2 } };

describe("Backup schedule card", () => {
  it("shows the cron, zone, next run, retention and destination to a viewer, without edit buttons", async () => {
    renderAs(<ScheduleCard serviceId="svc_1" />, { role: "viewer", routes: { ...destinations, "GET /api/v1/services/svc_1/backup-policy": policy } });
    const list = await screen.findByLabelText("Backup schedule");
    expect(within(list).getByText("30 2 * * *")).toBeInTheDocument();
    expect(list).toHaveTextContent("(Europe/Berlin)");
    expect(list).toHaveTextContent("last 7, 14 daily, 12 monthly");
    expect(list).toHaveTextContent(new Date(policy.next_run_at!).toLocaleString());
    await waitFor(() => expect(list).toHaveTextContent("offsite"));
    expect(screen.queryByRole("button", { name: "Edit schedule" })).not.toBeInTheDocument();
  });

  it("says when there is no schedule, and a member sets one; the API's validation message is shown", async () => {
    let attempts = 0;
    const sent = renderAs(<ScheduleCard serviceId="svc_1" />, {
      role: "member",
      routes: {
        ...destinations,
        "PUT /api/v1/services/svc_1/backup-policy": () =>
          ++attempts === 1 ? apiError(400, "validation_failed", "hour field '25': 25 is out of range 0-23", { field: "schedule" }) : policy,
      },
    });
    expect(await screen.findByText("No scheduled backups: back up on demand only.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Set a schedule" }));
    const cron = screen.getByLabelText("Cron schedule");
    await userEvent.clear(cron);
    await userEvent.type(cron, "0 25 * * *");
    await userEvent.click(screen.getByRole("button", { name: "Save schedule" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("hour field '25': 25 is out of range 0-23");
    // An SFTP destination whose host key is not pinned cannot be chosen.
    const select = screen.getByLabelText("Destination");
    expect(within(select).queryByText("nas")).not.toBeInTheDocument();
    await userEvent.clear(cron);
    await userEvent.type(cron, "30 2 * * *");
    await userEvent.click(screen.getByRole("button", { name: "Save schedule" }));
    await waitFor(() => expect(sent.filter((s) => s.method === "PUT")).toHaveLength(2));
    expect(sent[1]!.body).toEqual({
      schedule: "30 2 * * *", timezone: "UTC", destination_id: "bdst_1", enabled: true,
      retention: { keep_last: 7, keep_daily: 0, keep_weekly: 0, keep_monthly: 0 },
    });
  });

  it("lets a member remove the schedule", async () => {
    const sent = renderAs(<ScheduleCard serviceId="svc_1" />, {
      role: "member",
      routes: { ...destinations, "GET /api/v1/services/svc_1/backup-policy": policy, "DELETE /api/v1/services/svc_1/backup-policy": reply(204) },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Remove schedule" }));
    await waitFor(() => expect(sent).toEqual([{ method: "DELETE", path: "/api/v1/services/svc_1/backup-policy", body: null }]));
  });

  it("reads and removes an app volume's schedule at the volume's path", async () => {
    const volumePolicy: BackupPolicy = { ...policy, service_id: "", subject: "volume", app_id: "app_1", mount_target: "/srv/data" };
    const sent = renderAs(<ScheduleCard subject={{ appId: "app_1", volume: "team_1-data", target: "/srv/data" }} title="Schedule of team_1-data" />, {
      role: "member",
      routes: {
        ...destinations,
        "GET /api/v1/apps/app_1/volumes/team_1-data/backup-policy": volumePolicy,
        "DELETE /api/v1/apps/app_1/volumes/team_1-data/backup-policy": reply(204),
      },
    });
    expect(await screen.findByRole("heading", { name: "Schedule of team_1-data" })).toBeInTheDocument();
    await userEvent.click(await screen.findByRole("button", { name: "Remove schedule" }));
    await waitFor(() => expect(sent).toEqual([{ method: "DELETE", path: "/api/v1/apps/app_1/volumes/team_1-data/backup-policy", body: null }]));
  });
});
