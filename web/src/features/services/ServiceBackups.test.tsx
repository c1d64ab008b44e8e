import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import { apiError, renderAs, reply, type Routes as ApiRoutes } from "../apps/domains/testing";
import { drill, drillPage, failed, failedDrill, page, pinnedSftpDestination, restore, running, s3Destination, sftpDestination, succeeded, verifiedDrill } from "../backups/fixtures";
import type { Backup, Restore } from "../backups/types";
import { names, service } from "./fixtures";
import ServiceBackups from "./ServiceBackups";
import ServiceLayout from "./ServiceLayout";

afterEach(() => vi.unstubAllGlobals());

// The polls run on real timers (1.5 s), so a change that needs one poll gets that long and more.
const POLLED = { timeout: 5_000 };

function tab(role: string, routes: ApiRoutes = {}, at = "/services/svc_1/backups") {
  return renderAs(
    <Routes>
      <Route path="/services/:id" element={<ServiceLayout />}>
        <Route path="backups" element={<ServiceBackups />} />
      </Route>
    </Routes>,
    {
      role,
      at,
      routes: {
        ...names,
        "GET /api/v1/services/svc_1": service,
        "GET /api/v1/services/svc_1/backups": page([succeeded, failed]),
        "GET /api/v1/backup-destinations": { data: [s3Destination, sftpDestination], page: 1, per_page: 50, total: 2 },
        ...routes,
      },
    },
  );
}

describe("Service Backups tab", () => {
  it("is a tab of the service's page, listing its backups newest first", async () => {
    tab("member");
    expect(await screen.findByRole("link", { name: "Backups" })).toHaveAttribute("href", "/services/svc_1/backups");
    const rows = await screen.findAllByRole("row", { name: /Backup bkp_/ });
    expect(rows.map((r) => r.getAttribute("aria-label"))).toEqual(["Backup bkp_2", "Backup bkp_1"]);
    expect(within(rows[0]!).getByText("1.2 MB")).toBeInTheDocument();
    expect(within(rows[1]!).getByRole("note", { name: "Error" })).toHaveTextContent("connection to server failed");
    // Only a succeeded backup can be restored.
    expect(within(rows[0]!).getByRole("button", { name: "Restore backup bkp_2" })).toBeInTheDocument();
    expect(within(rows[1]!).queryByRole("button", { name: /Restore/ })).not.toBeInTheDocument();
  });

  it("offers the restore of a Redis backup like any other", async () => {
    tab("member", { "GET /api/v1/services/svc_1/backups": page([{ ...succeeded, engine: "redis" }]) });
    const restore = await screen.findByRole("button", { name: "Restore backup bkp_2" });
    expect(restore).toBeEnabled();
  });

  it("gives viewers the list but neither Back up now nor Restore", async () => {
    tab("viewer");
    expect(await screen.findAllByRole("row", { name: /Backup bkp_/ })).toHaveLength(2);
    expect(screen.queryByRole("button", { name: "Back up now" })).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Destination")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Restore/ })).not.toBeInTheDocument();
  });

  it("backs up now into the chosen S3 destination, an unpinned SFTP one listed but not selectable, and follows it until it succeeds", async () => {
    const user = userEvent.setup();
    let list: Backup[] = [succeeded, failed];
    let polls = 0;
    const sent = tab("member", {
      "GET /api/v1/services/svc_1/backups": () => {
        // The running backup finishes after it was read running once.
        if (list[0]?.status === "running" && ++polls > 1) list = [{ ...running, status: "succeeded", size_bytes: 3 * 1024 * 1024, sha256: "ab".repeat(32), duration_ms: 61_000 }, ...list.slice(1)];
        return page(list);
      },
      "POST /api/v1/services/svc_1/backups": () => {
        list = [running, ...list];
        return reply(202, running);
      },
    });
    const select = await screen.findByLabelText("Destination");
    const sftp = within(select).getByRole("option", { name: "nas (SFTP: test it once to pin its host key)" });
    expect(sftp).toBeDisabled();
    expect(within(select).getByRole("option", { name: "offsite" })).toBeEnabled();
    expect(screen.getByText(/once a successful test has pinned its server's host key/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Back up now" }));
    await waitFor(() => expect(sent).toEqual([{ method: "POST", path: "/api/v1/services/svc_1/backups", body: { destination_id: "bdst_1" } }]));
    expect(await screen.findByText("Backing up orders-db")).toBeInTheDocument();
    const row = await screen.findByRole("row", { name: "Backup bkp_3" });
    expect(within(row).getByText("running…")).toBeInTheDocument();
    // Polled while it runs: it turns succeeded with its size and duration without a reload.
    await waitFor(() => expect(within(screen.getByRole("row", { name: "Backup bkp_3" })).getByText("3.0 MB")).toBeInTheDocument(), POLLED);
    expect(within(screen.getByRole("row", { name: "Backup bkp_3" })).getByText("1 min 1 s")).toBeInTheDocument();
  });

  it("shows the API's refusal next to Back up now", async () => {
    const user = userEvent.setup();
    tab("member", { "POST /api/v1/services/svc_1/backups": apiError(409, "service_busy", "orders-db is deploying; back it up once it runs") });
    await user.click(await screen.findByRole("button", { name: "Back up now" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("orders-db is deploying; back it up once it runs");
  });

  it("links to the destinations page when the team has none, and explains when it has only SFTP ones", async () => {
    tab("member", { "GET /api/v1/backup-destinations": { data: [], page: 1, per_page: 50, total: 0 } });
    expect(await screen.findByText(/has no backup destination yet/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Add a destination" })).toHaveAttribute("href", "/destinations");
    expect(screen.queryByRole("button", { name: "Back up now" })).not.toBeInTheDocument();
  });

  it("cannot back up into an SFTP destination whose host key is not pinned", async () => {
    tab("member", { "GET /api/v1/backup-destinations": { data: [sftpDestination], page: 1, per_page: 50, total: 1 } });
    expect(await screen.findByRole("button", { name: "Back up now" })).toBeDisabled();
    expect(screen.getByRole("link", { name: "Add a destination" })).toHaveAttribute("href", "/destinations");
  });

  it("backs up into an SFTP destination once its host key is pinned", async () => {
    const user = userEvent.setup();
    const sent = tab("member", {
      "GET /api/v1/backup-destinations": { data: [pinnedSftpDestination], page: 1, per_page: 50, total: 1 },
      "POST /api/v1/services/svc_1/backups": reply(202, running),
    });
    const select = await screen.findByLabelText("Destination");
    expect(within(select).getByRole("option", { name: "vault" })).toBeEnabled();
    await user.click(screen.getByRole("button", { name: "Back up now" }));
    await waitFor(() => expect(sent).toEqual([{ method: "POST", path: "/api/v1/services/svc_1/backups", body: { destination_id: "bdst_3" } }]));
  });
});

describe("Restore flow", () => {
  it("restores only after the service's name is typed, then shows the steps and the engine's check", async () => {
    const user = userEvent.setup();
    let now: Restore = restore;
    let reads = 0;
    const sent = tab("member", {
      "POST /api/v1/backups/bkp_2/restore": reply(202, restore),
      "GET /api/v1/restores/rst_1": () => {
        reads++;
        if (reads === 2) now = { ...restore, step: "restoring", safety_backup_id: "bkp_4", job_id: "job_5" };
        if (reads >= 3) now = { ...restore, step: "restoring", safety_backup_id: "bkp_4", job_id: "job_5", status: "succeeded", check: "3", finished_at: "2026-12-06T10:00:09.000Z" };
        return now;
      },
    });
    await user.click(await screen.findByRole("button", { name: "Restore backup bkp_2" }));
    const dialog = screen.getByRole("dialog", { name: "Restore orders-db from this backup?" });
    expect(dialog).toHaveTextContent(/data of orders-db is replaced by the backup bkp_2/);
    expect(dialog).toHaveTextContent(/A safety backup of the data as it is now is taken first/);
    const confirm = within(dialog).getByRole("button", { name: "Replace data and restore" });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/to confirm/), "orders-d");
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/to confirm/), "b");
    expect(confirm).toBeEnabled();
    await user.click(confirm);
    await waitFor(() => expect(sent).toEqual([{ method: "POST", path: "/api/v1/backups/bkp_2/restore", body: { confirm: "orders-db" } }]));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    const steps = await screen.findByRole("list", { name: "Restore steps" });
    expect(within(steps).getByText(/Safety backup — running…/)).toBeInTheDocument();
    expect(within(steps).getByText(/Checking and restoring — waiting/)).toBeInTheDocument();
    await waitFor(() => expect(within(steps).getByText(/Checking and restoring — running…/)).toBeInTheDocument(), POLLED);
    expect(within(steps).getByText(/Safety backup — done/)).toHaveTextContent("bkp_4");
    expect(within(steps).getByRole("link", { name: "Job output" })).toHaveAttribute("href", "/jobs/job_5");
    await waitFor(() => expect(within(steps).getByText(/Done — done/)).toBeInTheDocument(), POLLED);
    const progress = screen.getByRole("region", { name: /Restore of orders-db/ });
    expect(within(progress).getByRole("status")).toHaveTextContent("Restored. The engine's check answered: 3");
    await user.click(screen.getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("list", { name: "Restore steps" })).not.toBeInTheDocument();
  });

  it("restores into a new service by its name, leaving this one alone, and links to the new service", async () => {
    const user = userEvent.setup();
    const intoNew: Restore = { ...restore, target: "new", service_id: "svc_9", step: "starting_service" };
    let reads = 0;
    const sent = tab("member", {
      "POST /api/v1/backups/bkp_2/restore": reply(202, intoNew),
      "GET /api/v1/restores/rst_1": () => {
        reads++;
        if (reads === 1) return intoNew;
        if (reads === 2) return { ...intoNew, step: "restoring", job_id: "job_5" };
        return { ...intoNew, step: "restoring", job_id: "job_5", status: "succeeded", check: "3", finished_at: "2026-12-06T10:00:30.000Z" };
      },
    });
    await user.click(await screen.findByRole("button", { name: "Restore backup bkp_2" }));
    const dialog = screen.getByRole("dialog", { name: "Restore orders-db from this backup?" });
    await user.click(within(dialog).getByRole("radio", { name: "A new service" }));
    expect(dialog).toHaveTextContent(/A new service of the same engine and image is created/);
    expect(dialog).toHaveTextContent(/orders-db is not touched/);
    expect(within(dialog).queryByLabelText(/to confirm/)).not.toBeInTheDocument();
    const create = within(dialog).getByRole("button", { name: "Create service and restore" });
    expect(create).toBeDisabled();
    await user.type(within(dialog).getByLabelText("New service's name"), "orders-copy");
    expect(create).toBeEnabled();
    await user.click(create);
    await waitFor(() =>
      expect(sent).toEqual([{ method: "POST", path: "/api/v1/backups/bkp_2/restore", body: { target: "new", name: "orders-copy" } }]),
    );
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    const steps = await screen.findByRole("list", { name: "Restore steps" });
    expect(within(steps).getByText(/Starting the new service — running…/)).toBeInTheDocument();
    expect(within(steps).queryByText(/Safety backup/)).not.toBeInTheDocument();
    expect(within(steps).getByRole("link", { name: "The new service" })).toHaveAttribute("href", "/services/svc_9");
    await waitFor(() => expect(within(steps).getByText(/Done — done/)).toBeInTheDocument(), POLLED);
    const progress = screen.getByRole("region", { name: /into a new service/ });
    expect(within(progress).getByRole("status")).toHaveTextContent("Restored. The engine's check answered: 3");
    expect(within(progress).getByRole("link", { name: "Open the new service" })).toHaveAttribute("href", "/services/svc_9");
  });

  it("keeps the new-service dialog open with the API's refusal of a taken name", async () => {
    const user = userEvent.setup();
    tab("member", { "POST /api/v1/backups/bkp_2/restore": apiError(409, "service_name_taken", "the team has a service named orders-db") });
    await user.click(await screen.findByRole("button", { name: "Restore backup bkp_2" }));
    const dialog = screen.getByRole("dialog");
    await user.click(within(dialog).getByRole("radio", { name: "A new service" }));
    await user.type(within(dialog).getByLabelText("New service's name"), "orders-db");
    await user.click(within(dialog).getByRole("button", { name: "Create service and restore" }));
    expect(await within(dialog).findByText("the team has a service named orders-db")).toBeInTheDocument();
  });

  it("says plainly that a backup not matching its checksum was refused and nothing restored", async () => {
    const mismatch: Restore = {
      ...restore, step: "restoring", status: "failed", safety_backup_id: "bkp_4", job_id: "job_5",
      error: { code: "backup_checksum_mismatch", message: "sha256 of the downloaded object is 9c1e…, recorded 3f9a…" },
    };
    tab("member", { "GET /api/v1/restores/rst_1": mismatch }, "/services/svc_1/backups?restore=rst_1");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The stored backup does not match its checksum: it was changed or damaged; nothing was restored. (backup_checksum_mismatch)",
    );
    const steps = screen.getByRole("list", { name: "Restore steps" });
    expect(within(steps).getByText(/Safety backup — done/)).toBeInTheDocument();
    expect(within(steps).getByText(/Checking and restoring — failed/)).toBeInTheDocument();
    expect(within(steps).getByText(/Done — waiting/)).toBeInTheDocument();
  });

  it("shows a failed safety backup as the step that failed, with the API's message", async () => {
    const safetyFailed: Restore = { ...restore, status: "failed", error: { code: "dump_failed", message: "the safety backup failed: pg_dump: connection refused" } };
    tab("member", { "GET /api/v1/restores/rst_1": safetyFailed }, "/services/svc_1/backups?restore=rst_1");
    expect(await screen.findByRole("alert")).toHaveTextContent("the safety backup failed: pg_dump: connection refused (dump_failed)");
    const steps = screen.getByRole("list", { name: "Restore steps" });
    expect(within(steps).getByText(/Safety backup — failed/)).toBeInTheDocument();
    expect(within(steps).getByText(/Checking and restoring — waiting/)).toBeInTheDocument();
  });

  it("keeps the dialog open with the API's refusal", async () => {
    const user = userEvent.setup();
    tab("member", { "POST /api/v1/backups/bkp_2/restore": apiError(409, "service_busy", "the service is not running") });
    await user.click(await screen.findByRole("button", { name: "Restore backup bkp_2" }));
    const dialog = screen.getByRole("dialog");
    await user.type(within(dialog).getByLabelText(/to confirm/), "orders-db");
    await user.click(within(dialog).getByRole("button", { name: "Replace data and restore" }));
    expect(await within(dialog).findByText("the service is not running")).toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Restore steps" })).not.toBeInTheDocument();
  });
});

describe("Drills", () => {
  const verifiedBackup: Backup = { ...succeeded, verified: "verified", verified_at: new Date(Date.now() - 2 * 3600_000).toISOString(), drill_check: "2" };
  const undrilled: Backup = { ...succeeded, id: "bkp_5", created_at: "2026-12-06T09:10:00.000Z" };
  const drillFailed: Backup = { ...succeeded, id: "bkp_6", verified: "failed", verified_at: new Date(Date.now() - 3 * 86_400_000).toISOString() };

  it("shows each backup's restore check: verified and when, drill failed, never drilled, nothing for a failed backup", async () => {
    tab("viewer", { "GET /api/v1/services/svc_1/backups": page([undrilled, verifiedBackup, drillFailed, failed]) });
    const check = async (id: string) => within(await screen.findByRole("row", { name: `Backup ${id}` })).getAllByRole("cell")[1]!;
    expect(await check("bkp_2")).toHaveTextContent(/^verified\s*2 h ago$/);
    expect(await check("bkp_6")).toHaveTextContent(/^drill failed\s*3 d ago$/);
    expect(await check("bkp_5")).toHaveTextContent("never drilled");
    expect(await check("bkp_1")).toHaveTextContent("–");
    // Viewers read drills but do not start them.
    expect(screen.queryByRole("button", { name: /Drill backup/ })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Drills of backup bkp_2" })).toBeInTheDocument();
  });

  it("opens a backup's drill history under its row, newest first, with a failed drill's reason", async () => {
    const user = userEvent.setup();
    tab("viewer", {
      "GET /api/v1/services/svc_1/backups": page([verifiedBackup, failed]),
      "GET /api/v1/backups/bkp_2/drills": drillPage([verifiedDrill, failedDrill]),
    });
    const toggle = await screen.findByRole("button", { name: "Drills of backup bkp_2" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    const history = await screen.findByRole("region", { name: "Drills of backup bkp_2" });
    const rows = await within(history).findAllByRole("row", { name: /Drill drl_/ });
    expect(rows.map((r) => r.getAttribute("aria-label"))).toEqual(["Drill drl_1", "Drill drl_0"]);
    expect(rows[0]).toHaveTextContent(/verified.*manual.*2.*5\.1 s/);
    expect(rows[1]).toHaveTextContent(/failed.*scheduled/);
    expect(within(rows[1]!).getByRole("note", { name: "Error" })).toHaveTextContent(
      "pg_restore: error: input file does not appear to be a valid archive (restore_failed) at restoring",
    );
    expect(within(rows[1]!).getByRole("link", { name: "Job output" })).toHaveAttribute("href", "/jobs/job_6");
    await user.click(toggle);
    expect(screen.queryByRole("region", { name: "Drills of backup bkp_2" })).not.toBeInTheDocument();
  });

  it("says when a backup was never drilled", async () => {
    const user = userEvent.setup();
    tab("member", { "GET /api/v1/services/svc_1/backups": page([succeeded]), "GET /api/v1/backups/bkp_2/drills": drillPage([]) });
    await user.click(await screen.findByRole("button", { name: "Drills of backup bkp_2" }));
    expect(await screen.findByText(/Never drilled\. A drill restores this backup into a scratch container/)).toBeInTheDocument();
  });

  it("Drill now starts a drill, follows it until verified and then shows the backup verified", async () => {
    const user = userEvent.setup();
    let list: Backup[] = [succeeded];
    let reads = 0;
    const sent = tab("member", {
      "GET /api/v1/services/svc_1/backups": () => page(list),
      "POST /api/v1/backups/bkp_2/drill": reply(202, drill),
      "GET /api/v1/backups/bkp_2/drills": () => drillPage([reads >= 3 ? verifiedDrill : { ...drill, step: "restoring" }]),
      "GET /api/v1/drills/drl_1": () => {
        reads++;
        if (reads === 1) return drill;
        if (reads === 2) return { ...drill, step: "restoring" };
        list = [{ ...succeeded, verified: "verified", verified_at: new Date().toISOString(), drill_check: "2" }];
        return verifiedDrill;
      },
    });
    await user.click(await screen.findByRole("button", { name: "Drill backup bkp_2 now" }));
    await waitFor(() => expect(sent).toEqual([{ method: "POST", path: "/api/v1/backups/bkp_2/drill", body: null }]));
    expect(await screen.findByText("Drilling backup bkp_2")).toBeInTheDocument();
    const progress = await screen.findByRole("region", { name: /Drill of bkp_2/ });
    expect(within(progress).getByRole("status")).toHaveTextContent("Drilling: starting a scratch container…");
    // The history opens under the row.
    expect(screen.getByRole("button", { name: "Drills of backup bkp_2" })).toHaveAttribute("aria-expanded", "true");
    await waitFor(() => expect(within(progress).getByRole("status")).toHaveTextContent(/Drilling: restoring the backup into it/), POLLED);
    await waitFor(
      () => expect(within(progress).getByRole("status")).toHaveTextContent("Restore verified. The engine's check answered 2 in 5.1 s."),
      POLLED,
    );
    // The list is read again: the backup now shows verified.
    await waitFor(() => expect(within(screen.getByRole("row", { name: "Backup bkp_2" })).getAllByRole("cell")[1]).toHaveTextContent(/^verified/));
    await user.click(within(progress).getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("region", { name: /Drill of bkp_2/ })).not.toBeInTheDocument();
  });

  it("shows a failed drill's step and reason", async () => {
    tab("member", { "GET /api/v1/drills/drl_0": failedDrill }, "/services/svc_1/backups?drill=drl_0");
    const progress = await screen.findByRole("region", { name: /Drill of bkp_2/ });
    expect(within(progress).getByRole("status")).toHaveTextContent("The drill failed while restoring the backup into it and running the engine's check.");
    expect(within(progress).getByRole("alert")).toHaveTextContent("pg_restore: error: input file does not appear to be a valid archive (restore_failed)");
  });

  it("shows the API's refusal of a drill next to the list", async () => {
    const user = userEvent.setup();
    tab("member", { "POST /api/v1/backups/bkp_2/drill": apiError(409, "drill_running", "a drill of this service is running: drl_9") });
    await user.click(await screen.findByRole("button", { name: "Drill backup bkp_2 now" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("a drill of this service is running: drl_9");
    expect(screen.queryByRole("region", { name: /Drill of/ })).not.toBeInTheDocument();
  });
});
