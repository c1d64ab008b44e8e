// Backups and restores as berthd answers them, for the backups tests.
import type { Backup, Drill, Restore } from "./types";

export const succeeded: Backup = {
  id: "bkp_2", service_id: "svc_1", service_name: "orders-db", engine: "postgres", server_id: "srv_1", destination_id: "bdst_1",
  status: "succeeded", trigger: "manual", object_key: "prod/berth/orders-db-svc_1/bkp_2.bsb", size_bytes: 1_288_490, plain_bytes: 5_000_000,
  sha256: "3f9a6c0e1b2d4f5a69788796a5b4c3d2e1f00112233445566778899aabbccdd", error: null, job_id: "job_2", duration_ms: 4_250,
  verified: null, verified_at: null, created_by: "usr_1", created_at: "2026-12-06T09:00:00.000Z", finished_at: "2026-12-06T09:00:04.250Z",
};

export const failed: Backup = {
  ...succeeded, id: "bkp_1", status: "failed", trigger: "schedule", size_bytes: 0, plain_bytes: 0, sha256: "", object_key: "", duration_ms: 900,
  error: { code: "dump_failed", message: "pg_dump: error: connection to server failed" }, created_at: "2026-12-06T08:00:00.000Z",
};

export const running: Backup = {
  ...succeeded, id: "bkp_3", status: "running", size_bytes: 0, plain_bytes: 0, sha256: "", duration_ms: null, finished_at: null, created_at: "2026-12-06T09:30:00.000Z",
};

export function page(data: Backup[]) {
  return { data, page: 1, per_page: 50, total: data.length };
}

export const restore: Restore = {
  id: "rst_1", backup_id: "bkp_2", service_id: "svc_1", status: "running", step: "safety_backup", safety_backup_id: null, job_id: null, check: null,
  error: null, created_by: "usr_1", created_at: "2026-12-06T10:00:00.000Z", finished_at: null,
};

export const s3Destination = { id: "bdst_1", name: "offsite", kind: "s3" };
export const sftpDestination = { id: "bdst_2", name: "nas", kind: "sftp" };
/// An SFTP destination whose host key a test pinned: backups can go there.
export const pinnedSftpDestination = {
  id: "bdst_3",
  name: "vault",
  kind: "sftp",
  sftp: { host: "vault.example.com", port: 22, user: "backup", path: "/srv/backups", host_key_fingerprint: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", auth: "password" },
};

export const drill: Drill = {
  id: "drl_1", backup_id: "bkp_2", service_id: "svc_1", server_id: "srv_1", engine: "postgres", status: "running", step: "starting", trigger: "manual",
  job_id: null, check: null, duration_ms: null, error: null, created_by: "usr_1", created_at: "2026-12-06T11:00:00.000Z", finished_at: null,
};

export const verifiedDrill: Drill = { ...drill, status: "verified", step: "removing", job_id: "job_7", check: "2", duration_ms: 5_100, finished_at: "2026-12-06T11:00:05.100Z" };

export const failedDrill: Drill = {
  ...drill, id: "drl_0", status: "failed", step: "restoring", trigger: "schedule", job_id: "job_6", duration_ms: 3_000,
  error: { code: "restore_failed", message: "pg_restore: error: input file does not appear to be a valid archive" },
  created_at: "2026-12-05T11:00:00.000Z", finished_at: "2026-12-05T11:00:03.000Z",
};

export function drillPage(data: Drill[]) {
  return { data, page: 1, per_page: 100, total: data.length };
}
