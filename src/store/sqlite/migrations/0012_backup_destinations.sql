-- Backup destinations (issue 15, slice 3): where a team's backups are written. Same
-- conventions as 0004. config holds the settings without secrets (JSON); secrets_sealed one
-- JSON object (S3 keys, an SFTP password or private key) sealed with the master key.
-- last_test is the answer of the last probe ({ok, steps}), JSON null until tested.

CREATE TABLE backup_destinations (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('s3', 'sftp')),
  config TEXT NOT NULL DEFAULT '{}',
  secrets_sealed TEXT NOT NULL DEFAULT '',
  last_test TEXT NOT NULL DEFAULT 'null',
  last_tested_at TEXT,
  created_by TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (team_id, name)
);
