import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAs, reply } from "../apps/domains/testing";
import BackupsPage from "./BackupsPage";
import { drill, drillPage, failed, page, restore, succeeded } from "./fixtures";
import type { Restore } from "./types";
import { formatDuration, shortSha } from "./format";

afterEach(() => vi.unstubAllGlobals());

describe("Backups page", () => {
  it("lists every service's backups with the service linked, size, checksum, duration and a failed one's error", async () => {
    const other = { ...succeeded, id: "bkp_9", service_id: "svc_2", service_name: "cache", engine: "redis", size_bytes: 2048 };
    renderAs(<BackupsPage />, { role: "viewer", routes: { "GET /api/v1/backups": page([other, succeeded, failed]) } });
    const rows = await screen.findAllByRole("row", { name: /Backup bkp_/ });
    expect(rows.map((r) => r.getAttribute("aria-label"))).toEqual(["Backup bkp_9", "Backup bkp_2", "Backup bkp_1"]);
    expect(within(rows[0]!).getByRole("link", { name: "cache" })).toHaveAttribute("href", "/services/svc_2/backups");
    expect(within(rows[0]!).getByText("2.0 KB")).toBeInTheDocument();
    const ok = rows[1]!;
    expect(within(ok).getByRole("link", { name: "orders-db" })).toHaveAttribute("href", "/services/svc_1/backups");
    expect(within(ok).getByText("succeeded")).toBeInTheDocument();
    expect(within(ok).getByText("1.2 MB")).toBeInTheDocument();
    expect(within(ok).getByText("3f9a6c0e1b2d")).toHaveAttribute("title", succeeded.sha256);
    expect(within(ok).getByRole("button", { name: "Copy SHA-256" })).toBeInTheDocument();
    expect(within(ok).getByText("4.3 s")).toBeInTheDocument();
    expect(within(ok).getByText("manual")).toBeInTheDocument();
    const bad = rows[2]!;
    expect(within(bad).getByText("scheduled")).toBeInTheDocument();
    expect(within(bad).getByRole("note", { name: "Error" })).toHaveTextContent("pg_dump: error: connection to server failed (dump_failed)");
    expect(within(bad).getByRole("link", { name: "Job output" })).toHaveAttribute("href", "/jobs/job_2");
    // Viewers read (and open drill histories); restoring and drilling are members'.
    expect(screen.queryByRole("button", { name: /Restore/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Drill .* now/ })).not.toBeInTheDocument();
    expect(within(ok).getByRole("button", { name: "Drills of backup bkp_2" })).toBeInTheDocument();
  });

  it("restores a (deleted) service's backup into a new service, the dialog opening on that choice", async () => {
    const user = userEvent.setup();
    const intoNew: Restore = { ...restore, target: "new", service_id: "svc_9", step: "starting_service" };
    const sent = renderAs(<BackupsPage />, {
      role: "member",
      routes: {
        "GET /api/v1/backups": page([succeeded]),
        "POST /api/v1/backups/bkp_2/restore": reply(202, intoNew),
        "GET /api/v1/restores/rst_1": intoNew,
      },
    });
    await user.click(await screen.findByRole("button", { name: "Restore backup bkp_2" }));
    const dialog = screen.getByRole("dialog", { name: "Restore orders-db from this backup?" });
    expect(within(dialog).getByRole("radio", { name: "A new service" })).toBeChecked();
    await user.type(within(dialog).getByLabelText("New service's name"), "orders-reborn");
    await user.click(within(dialog).getByRole("button", { name: "Create service and restore" }));
    await waitFor(() =>
      expect(sent).toEqual([{ method: "POST", path: "/api/v1/backups/bkp_2/restore", body: { target: "new", name: "orders-reborn" } }]),
    );
    const progress = await screen.findByRole("region", { name: /Restore of orders-db's backup into a new service/ });
    expect(within(progress).getByRole("link", { name: "The new service" })).toHaveAttribute("href", "/services/svc_9");
  });

  it("restores into a new service of a newer major version, offering only the backup's and newer ones", async () => {
    const user = userEvent.setup();
    const intoNew: Restore = { ...restore, target: "new", service_id: "svc_9", step: "starting_service" };
    const sent = renderAs(<BackupsPage />, {
      role: "member",
      routes: {
        "GET /api/v1/backups": page([{ ...succeeded, version: "16" }]),
        "POST /api/v1/backups/bkp_2/restore": reply(202, intoNew),
        "GET /api/v1/restores/rst_1": intoNew,
      },
    });
    await user.click(await screen.findByRole("button", { name: "Restore backup bkp_2" }));
    const dialog = screen.getByRole("dialog", { name: "Restore orders-db from this backup?" });
    const version = within(dialog).getByLabelText("Version");
    expect(within(version).getAllByRole("option").map((o) => o.textContent)).toEqual(["16 (the backup's)", "17 (upgrade, the official image)"]);
    await user.type(within(dialog).getByLabelText("New service's name"), "orders-pg17");
    await user.selectOptions(version, "17");
    await user.click(within(dialog).getByRole("button", { name: "Create service and restore" }));
    await waitFor(() =>
      expect(sent).toEqual([{ method: "POST", path: "/api/v1/backups/bkp_2/restore", body: { target: "new", name: "orders-pg17", version: "17" } }]),
    );
  });

  it("lets a member drill a backup from the team's list and follows the drill", async () => {
    const user = userEvent.setup();
    const sent = renderAs(<BackupsPage />, {
      role: "member",
      routes: {
        "GET /api/v1/backups": page([succeeded]),
        "POST /api/v1/backups/bkp_2/drill": reply(202, drill),
        "GET /api/v1/drills/drl_1": drill,
        "GET /api/v1/backups/bkp_2/drills": drillPage([drill]),
      },
    });
    await user.click(await screen.findByRole("button", { name: "Drill backup bkp_2 now" }));
    await waitFor(() => expect(sent).toEqual([{ method: "POST", path: "/api/v1/backups/bkp_2/drill", body: null }]));
    expect(await screen.findByText("Drilling backup bkp_2")).toBeInTheDocument();
    expect(await screen.findByRole("region", { name: /Drill of bkp_2/ })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Drills of backup bkp_2" })).toHaveAttribute("aria-expanded", "true");
  });

  it("says what to do when there are no backups", async () => {
    renderAs(<BackupsPage />, { role: "member", routes: { "GET /api/v1/backups": page([]) } });
    expect(await screen.findByText("No backups yet")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "backup destinations" })).toHaveAttribute("href", "/destinations");
  });
});

describe("backup formatting", () => {
  it("reads durations and shortens checksums", () => {
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(4_250)).toBe("4.3 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(2 * 3_600_000 + 60_000)).toBe("2 h 1 min");
    expect(shortSha("")).toBe("");
    expect(shortSha(succeeded.sha256)).toBe("3f9a6c0e1b2d");
  });
});

describe("navigation", () => {
  it("lists Backups between Services and Backup destinations", async () => {
    const { Layout } = await import("../../components/Layout");
    renderAs(<Layout />, { role: "viewer", routes: {} });
    const nav = await screen.findByRole("navigation", { name: "Main" });
    const labels = within(nav).getAllByRole("link").map((a) => a.textContent?.trim());
    const at = labels.indexOf("Backups");
    expect(labels.slice(at - 1, at + 2)).toEqual(["Services", "Backups", "Backup destinations"]);
    expect(within(nav).getByRole("link", { name: "Backups" })).toHaveAttribute("href", "/backups");
  });
});
