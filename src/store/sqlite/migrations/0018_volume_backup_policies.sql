-- Scheduled backups of an app's named volumes (issue 15). Same conventions as 0004 and 0014.
-- volume_backup_policies: one row per mount of an app (deleted with the app), keyed by the
-- mount's target, not the volume's name: a restore points the mount at a fresh volume
-- ("<volume>-r1"), and the policy goes on backing up what the app mounts there. The columns
-- after mount_target mean what they mean in backup_policies; a run is claimed the same way
-- (UPDATE ... WHERE app_id = ? AND mount_target = ? AND next_run_at = <seen>).

CREATE TABLE volume_backup_policies (
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  mount_target TEXT NOT NULL,
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
  updated_at TEXT NOT NULL,
  PRIMARY KEY (app_id, mount_target)
);
CREATE INDEX volume_backup_policies_due ON volume_backup_policies (next_run_at) WHERE enabled = 1;
CREATE INDEX volume_backup_policies_by_team ON volume_backup_policies (team_id);
