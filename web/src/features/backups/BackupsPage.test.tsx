import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import { renderAs } from "../apps/domains/testing";
import BackupsPage from "./BackupsPage";
import { failed, page, succeeded } from "./fixtures";
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
    // The team-wide page reads; backing up and restoring happen on the service's tab.
    expect(screen.queryByRole("button", { name: /Restore/ })).not.toBeInTheDocument();
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
