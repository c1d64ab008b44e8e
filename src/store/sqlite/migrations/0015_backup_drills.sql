-- Restore drills (issue 15, slice 5b). Same conventions as 0004.
-- backup_drills: one row per drill of a service backup — the backup restored into a scratch
-- container on its server (no network, generated credentials, removed afterwards) and the
-- engine's check run on it. status: running, then verified (the check answered) or failed;
-- step: where it is (starting, restoring, removing) or where it failed. container is the
-- scratch container's name (what a start-up sweep removes after a crash). trigger: manual or
-- schedule (the weekly drill of each service's latest backup, claimed by inserting this row).
CREATE TABLE backup_drills (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  backup_id TEXT NOT NULL,
  service_id TEXT NOT NULL,
  server_id TEXT NOT NULL DEFAULT '',
  engine TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('running', 'verified', 'failed')),
  step TEXT NOT NULL DEFAULT '',
  trigger TEXT NOT NULL DEFAULT 'manual',
  container TEXT NOT NULL DEFAULT '',
  job_id TEXT NOT NULL DEFAULT '',
  check_result TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL DEFAULT 0,
  error_code TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX backup_drills_by_backup ON backup_drills (backup_id, created_at);
CREATE INDEX backup_drills_by_service ON backup_drills (service_id, created_at);
CREATE INDEX backup_drills_running ON backup_drills (status) WHERE status = 'running';

-- The last drill's outcome, kept on the backup beside verified / verified_at (0013).
ALTER TABLE service_backups ADD COLUMN drill_check TEXT NOT NULL DEFAULT '';
ALTER TABLE service_backups ADD COLUMN drill_duration_ms INTEGER NOT NULL DEFAULT 0;
