-- Scheduled backups (issue 15, slice 4). Same conventions as 0004.
-- backup_policies: one row per service (deleted with it). schedule is a cron expression read in
-- timezone (an IANA name). next_run_at is the next slot, NULL while disabled: the scheduler
-- claims a run with UPDATE ... SET next_run_at = <next> WHERE service_id = ? AND next_run_at =
-- <seen>, in the transaction that records the backup, so each slot runs once. destination_id
-- is not a foreign key: a policy whose destination was deleted records a failed backup at its
-- next run, which the user sees, instead of vanishing. settled_backup_id is the last run whose
-- outcome (retention or a failure event) was handled.

CREATE TABLE backup_policies (
  service_id TEXT NOT NULL PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  schedule TEXT NOT NULL,
  timezone TEXT NOT NULL DEFAULT 'UTC',
  destination_id TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  keep_last INTEGER NOT NULL DEFAULT 7,
  keep_daily INTEGER NOT NULL DEFAULT 0,
  keep_weekly INTEGER NOT NULL DEFAULT 0,
  keep_monthly INTEGER NOT NULL DEFAULT 0,
  next_run_at TEXT,
  last_backup_id TEXT NOT NULL DEFAULT '',
  last_run_at TEXT,
  settled_backup_id TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX backup_policies_due ON backup_policies (next_run_at) WHERE enabled = 1;
